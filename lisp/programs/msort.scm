;; msort: merge sort of a list of N pseudo-random fixnums (a linear
;; congruential generator); the result is checked sorted, of the same length
;; and the same sum.
;; sizes: test=200 sweep=3000 compare=50000

(define (random-list n seed)
  (let loop ((i 0) (x seed) (l '()))
    (if (= i n)
        l
        (let ((next (modulo (+ (* x 1103515245) 12345) 2147483648)))
          (loop (+ i 1) next (cons (quotient next 65536) l))))))

(define (merge a b)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append (reverse acc) b))
          ((null? b) (append (reverse acc) a))
          ((< (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))

;; the first k elements of l, and the rest
(define (take l k)
  (let loop ((l l) (k k) (acc '()))
    (if (= k 0) (reverse acc) (loop (cdr l) (- k 1) (cons (car l) acc)))))

(define (msort l n)
  (if (< n 2)
      l
      (let ((half (quotient n 2)))
        (merge (msort (take l half) half)
               (msort (list-tail l half) (- n half))))))

(define (sorted? l)
  (or (null? l) (null? (cdr l))
      (and (<= (car l) (cadr l)) (sorted? (cdr l)))))

(define (sum l) (let loop ((l l) (s 0)) (if (null? l) s (loop (cdr l) (+ s (car l))))))

(define (main n)
  (let* ((l (random-list n 42))
         (s (msort l n)))
    (if (not (and (sorted? s) (= (length s) n) (= (sum s) (sum l))))
        (error "msort: the result is not a sorted permutation" n))
    (display "msort ") (display n) (display " ") (display (if (null? s) 0 (car s))) (newline)))
