;; tak: Takeuchi's function on fixnums, a control program that allocates
;; nothing: every call's result is a fixnum, so nothing escapes.
;; sizes: test=9 sweep=15 compare=21

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))

;; tak(n, 2n/3, n/3) for the sizes the tests and the sweep use
(define known '((6 . 3) (9 . 6) (12 . 5) (15 . 10) (18 . 7) (21 . 14) (24 . 9)))

(define (main n)
  (let ((r (tak n (quotient (* 2 n) 3) (quotient n 3)))
        (want (assv n known)))
    (if (and want (not (= r (cdr want))))
        (error "tak: wrong result" n r))
    (display "tak ") (display n) (display " ") (display r) (newline)))
