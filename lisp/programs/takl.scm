;; takl: Takeuchi's function on lists (Gabriel): numbers are lists of that
;; length, compared by walking them.  (main N) runs (mas (listn N)
;; (listn 2N/3) (listn N/3)) and checks the length of the result against tak
;; on fixnums.
;; sizes: test=9 sweep=15 compare=21

(define (listn n)
  (let loop ((i 1) (l '()))
    (if (> i n) l (loop (+ i 1) (cons i l)))))

(define (shorter? x y)
  (and (not (null? y))
       (or (null? x) (shorter? (cdr x) (cdr y)))))

(define (mas x y z)
  (if (not (shorter? y x))
      z
      (mas (mas (cdr x) y z)
           (mas (cdr y) z x)
           (mas (cdr z) x y))))

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y))))

(define (main n)
  (let* ((a n) (b (quotient (* 2 n) 3)) (c (quotient n 3))
         (r (mas (listn a) (listn b) (listn c))))
    (if (not (= (length r) (tak a b c)))
        (error "takl: wrong length" (length r) (tak a b c)))
    (display "takl ") (display n) (display " ") (display (length r)) (newline)))
