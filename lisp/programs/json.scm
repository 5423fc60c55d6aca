;; json: a transform of a real JSON document (boto3's S3 resource model,
;; lisp/programs/data/s3-resources.json, Apache-2.0).  Under regionlab the
;; project's JSON reader loads it (read-json: an object is a vector of
;; (key . value) pairs with symbol keys, an array a vector, true/false/null
;; symbols); any other Scheme reads the same data converted to an
;; S-expression (data/s3-resources.sexp).  (main N) transforms it N times
;; into lists (objects become alists with string keys, strings their
;; lengths) and checks the counts of objects, arrays, strings, pairs and the
;; total string length against those of the document.
;; sizes: test=1 sweep=3 compare=30

(define document
  (cond-expand
    (regionlab (read-json "lisp/programs/data/s3-resources.json"))
    (else (call-with-input-file "lisp/programs/data/s3-resources.sexp" read))))

(define (object? x)
  (and (vector? x) (> (vector-length x) 0) (pair? (vector-ref x 0)) (symbol? (car (vector-ref x 0)))))

;; an object becomes (object (key-string . value) ...), an array (array value ...),
;; a string its length
(define (transform x)
  (cond ((object? x)
         (cons 'object
               (map (lambda (p) (cons (symbol->string (car p)) (transform (cdr p))))
                    (vector->list x))))
        ((vector? x) (cons 'array (map transform (vector->list x))))
        ((string? x) (string-length x))
        (else x)))

;; (objects arrays strings pairs string-bytes) of a transformed document
(define (census t)
  (let ((counts (make-vector 5 0)))
    (define (bump! i k) (vector-set! counts i (+ (vector-ref counts i) k)))
    (define (walk t)
      (cond ((and (pair? t) (eq? (car t) 'object))
             (bump! 0 1)
             (for-each (lambda (p) (bump! 3 1) (walk (cdr p))) (cdr t)))
            ((and (pair? t) (eq? (car t) 'array))
             (bump! 1 1)
             (for-each walk (cdr t)))
            ((number? t) (bump! 2 1) (bump! 4 t))))
    (walk t)
    (vector->list counts)))

(define expected '(512 135 760 1184 7032))

(define (main n)
  (let loop ((i 0) (last #f))
    (if (< i n)
        (loop (+ i 1) (transform document))
        (let ((c (census (if last last (transform document)))))
          (if (not (equal? c expected))
              (error "json: wrong census" c))
          (display "json ") (display n) (display " ") (display c) (newline)))))
