;; sieve: the primes up to N by Eratosthenes' sieve on lists: each prime
;; filters the list of candidates into a new one.  The count is checked
;; against a sieve on a vector (and against pi(N) for the usual sizes).
;; sizes: test=200 sweep=5000 compare=100000

(define (interval a b)
  (let loop ((i b) (l '()))
    (if (< i a) l (loop (- i 1) (cons i l)))))

(define (remove-multiples p l)
  (let loop ((l l) (acc '()))
    (cond ((null? l) (reverse acc))
          ((= 0 (remainder (car l) p)) (loop (cdr l) acc))
          (else (loop (cdr l) (cons (car l) acc))))))

(define (sieve l)
  (let loop ((l l) (primes '()))
    (cond ((null? l) (reverse primes))
          ((> (* (car l) (car l)) (car (last-pair l))) (append (reverse primes) l))
          (else (loop (remove-multiples (car l) (cdr l)) (cons (car l) primes))))))

(define (last-pair l) (if (null? (cdr l)) l (last-pair (cdr l))))

(define (vector-sieve-count n)
  (let ((v (make-vector (+ n 1) #t)))
    (let loop ((i 2) (count 0))
      (cond ((> i n) count)
            ((vector-ref v i)
             (do ((j (* i i) (+ j i))) ((> j n)) (vector-set! v j #f))
             (loop (+ i 1) (+ count 1)))
            (else (loop (+ i 1) count))))))

(define known '((10 . 4) (100 . 25) (1000 . 168) (10000 . 1229) (100000 . 9592)))

(define (main n)
  (let* ((primes (if (< n 2) '() (sieve (interval 2 n))))
         (count (length primes))
         (want (assv n known)))
    (if (not (= count (vector-sieve-count n)))
        (error "sieve: the two sieves disagree" count (vector-sieve-count n)))
    (if (and want (not (= count (cdr want))))
        (error "sieve: wrong count" n count))
    (display "sieve ") (display n) (display " ") (display count) (newline)))
