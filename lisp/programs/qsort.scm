;; qsort: quicksort of a list of N pseudo-random fixnums, partitioning into
;; new lists around the first element; the result is checked sorted, of the
;; same length and the same sum.
;; sizes: test=200 sweep=3000 compare=50000

(define (random-list n seed)
  (let loop ((i 0) (x seed) (l '()))
    (if (= i n)
        l
        (let ((next (modulo (+ (* x 1103515245) 12345) 2147483648)))
          (loop (+ i 1) next (cons (quotient next 65536) l))))))

;; (less . more): the elements of l below p, and the others
(define (partition p l)
  (let loop ((l l) (less '()) (more '()))
    (cond ((null? l) (cons less more))
          ((< (car l) p) (loop (cdr l) (cons (car l) less) more))
          (else (loop (cdr l) less (cons (car l) more))))))

(define (qsort l)
  (if (or (null? l) (null? (cdr l)))
      l
      (let ((parts (partition (car l) (cdr l))))
        (append (qsort (car parts)) (cons (car l) (qsort (cdr parts)))))))

(define (sorted? l)
  (or (null? l) (null? (cdr l))
      (and (<= (car l) (cadr l)) (sorted? (cdr l)))))

(define (sum l) (let loop ((l l) (s 0)) (if (null? l) s (loop (cdr l) (+ s (car l))))))

(define (main n)
  (let* ((l (random-list n 7))
         (s (qsort l)))
    (if (not (and (sorted? s) (= (length s) n) (= (sum s) (sum l))))
        (error "qsort: the result is not a sorted permutation" n))
    (display "qsort ") (display n) (display " ") (display (if (null? s) 0 (car s))) (newline)))
