;; matrix: the product of two N x N matrices held as vectors of row vectors;
;; A[i][j] = i + j, and every entry of A x A is checked against its closed
;; form n*i*j + (i+j)*n(n-1)/2 + (n-1)n(2n-1)/6.
;; sizes: test=8 sweep=30 compare=80

(define (make-matrix n f)
  (let ((m (make-vector n #f)))
    (do ((i 0 (+ i 1))) ((= i n) m)
      (vector-set! m i (make-row n (lambda (j) (f i j)))))))

(define (make-row n f)
  (let ((row (make-vector n 0)))
    (do ((j 0 (+ j 1))) ((= j n) row)
      (vector-set! row j (f j)))))

(define (dot a b i j n)
  (let loop ((k 0) (s 0))
    (if (= k n)
        s
        (loop (+ k 1) (+ s (* (vector-ref (vector-ref a i) k) (vector-ref (vector-ref b k) j)))))))

(define (product a b n)
  (make-matrix n (lambda (i j) (dot a b i j n))))

(define (main n)
  (let* ((a (make-matrix n (lambda (i j) (+ i j))))
         (c (product a a n)))
    (do ((i 0 (+ i 1))) ((= i n))
      (do ((j 0 (+ j 1))) ((= j n))
        (let ((want (+ (* n i j) (quotient (* (+ i j) n (- n 1)) 2) (quotient (* (- n 1) n (- (* 2 n) 1)) 6))))
          (if (not (= (vector-ref (vector-ref c i) j) want))
              (error "matrix: wrong entry" i j)))))
    (display "matrix ") (display n) (display " ")
    (display (if (> n 0) (vector-ref (vector-ref c (- n 1)) (- n 1)) 0)) (newline)))
