;; nqueens: the number of ways to place N queens on an N x N board, on lists
;; (Gabriel's queens: the candidate lists are rebuilt at every step).
;; (main N) checks the count against the known sequence (OEIS A000170).
;; sizes: test=6 sweep=8 compare=10

(define (one-to n)
  (let loop ((i n) (l '()))
    (if (= i 0) l (loop (- i 1) (cons i l)))))

(define (ok? row dist placed)
  (or (null? placed)
      (and (not (= (car placed) (+ row dist)))
           (not (= (car placed) (- row dist)))
           (ok? row (+ dist 1) (cdr placed)))))

(define (try-it x y z)
  (if (null? x)
      (if (null? y) 1 0)
      (+ (if (ok? (car x) 1 z)
             (try-it (append (cdr x) y) '() (cons (car x) z))
             0)
         (try-it (cdr x) (cons (car x) y) z))))

(define (queens n) (try-it (one-to n) '() '()))

(define known '#(1 1 0 0 2 10 4 40 92 352 724 2680 14200 73712))

(define (main n)
  (let ((count (queens n)))
    (if (and (< n (vector-length known)) (not (= count (vector-ref known n))))
        (error "nqueens: wrong count" n count))
    (display "nqueens ") (display n) (display " ") (display count) (newline)))
