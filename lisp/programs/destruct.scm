;; destruct: destructive list surgery (Gabriel): a list of ten lists is
;; grown, cut and re-spliced with set-car! and set-cdr!, N rounds.  The
;; answer is the lengths of the ten lists and the sum of their elements,
;; checked against values recorded for the sizes the tests and sweeps use.
;; sizes: test=20 sweep=300 compare=1000

(define (append-to-tail! x y)
  (if (null? x)
      y
      (let loop ((a x) (b (cdr x)))
        (if (null? b)
            (begin (set-cdr! a y) x)
            (loop b (cdr b))))))

(define (nils m)
  (do ((j m (- j 1)) (a '() (cons '() a))) ((= j 0) a)))

(define (destructive n m)
  (let ((l (nils 10)))
    (do ((i n (- i 1))) ((= i 0) l)
      (cond ((null? (car l))
             (do ((l l (cdr l))) ((null? l))
               (if (null? (car l)) (set-car! l (cons '() '())))
               (append-to-tail! (car l) (nils m))))
            (else
             (do ((l1 l (cdr l1)) (l2 (cdr l) (cdr l2))) ((null? l2))
               (set-cdr! (do ((j (quotient (length (car l2)) 2) (- j 1))
                              (a (car l2) (cdr a)))
                             ((zero? j) a)
                           (set-car! a i))
                         (let ((n (quotient (length (car l1)) 2)))
                           (cond ((= n 0) (set-car! l1 '()) (car l1))
                                 (else
                                  (do ((j n (- j 1)) (a (car l1) (cdr a)))
                                      ((= j 1) (let ((x (cdr a))) (set-cdr! a '()) x))
                                    (set-car! a i))))))))))))

(define (sum-fixnums l)
  (let loop ((l l) (s 0))
    (cond ((null? l) s)
          ((number? (car l)) (loop (cdr l) (+ s (car l))))
          (else (loop (cdr l) s)))))

(define known
  '(
    (10 . ((12 13 14 14 14 14 14 14 14 44) 188))
    (20 . ((1 2 2 3 3 3 3 3 3 14) 50))
    (50 . ((51 51 51 52 52 52 52 52 52 60) 58))
    (100 . ((25 26 26 26 27 27 27 27 27 58) 260))
    (200 . ((6 6 7 8 8 8 8 8 8 31) 115))
    (300 . ((1 2 2 3 3 3 3 3 3 14) 50))
    (600 . ((3 3 4 4 5 5 5 5 5 21) 74))
    (1000 . ((1 2 2 3 3 3 3 3 3 14) 50))))

(define (main n)
  (let* ((l (destructive n 50))
         (answer (list (map length l) (apply + (map sum-fixnums l))))
         (want (assv n known)))
    (if (and want (not (equal? answer (cdr want))))
        (error "destruct: wrong answer" n answer))
    (display "destruct ") (display n) (display " ") (display answer) (newline)))
