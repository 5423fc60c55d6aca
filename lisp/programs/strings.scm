;; strings: string building.  The numbers 1..N are joined into one
;; comma-separated string by divide and conquer (string-append of the two
;; halves' strings), then split back at the commas and summed; the sum must
;; be N(N+1)/2 and the length what the digits add up to.
;; sizes: test=100 sweep=2000 compare=50000

(define (join lo hi)
  (if (= lo hi)
      (number->string lo)
      (let ((mid (quotient (+ lo hi) 2)))
        (string-append (join lo mid) "," (join (+ mid 1) hi)))))

;; the fixnums of a comma-separated string
(define (split-sum s)
  (let loop ((i 0) (start 0) (sum 0))
    (cond ((= i (string-length s))
           (+ sum (string->number (substring s start i))))
          ((char=? (string-ref s i) #\,)
           (loop (+ i 1) (+ i 1) (+ sum (string->number (substring s start i)))))
          (else (loop (+ i 1) start sum)))))

(define (digits n) (string-length (number->string n)))

(define (expected-length n)
  (let loop ((i 1) (len 0))
    (if (> i n) (- len 1) (loop (+ i 1) (+ len (digits i) 1)))))

(define (main n)
  (let* ((n (max n 1))
         (s (join 1 n)))
    (if (not (= (string-length s) (expected-length n)))
        (error "strings: wrong length" (string-length s)))
    (if (not (= (split-sum s) (quotient (* n (+ n 1)) 2)))
        (error "strings: wrong sum" (split-sum s)))
    (display "strings ") (display n) (display " ") (display (string-length s)) (newline)))
