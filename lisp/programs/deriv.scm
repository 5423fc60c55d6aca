;; deriv: symbolic differentiation (Gabriel), N times, of a polynomial whose
;; number of terms grows with N; each result is checked against the
;; derivative built term by term.
;; sizes: test=5 sweep=60 compare=2000

(define (deriv a)
  (cond ((not (pair? a)) (if (eq? a 'x) 1 0))
        ((eq? (car a) '+) (cons '+ (map deriv (cdr a))))
        ((eq? (car a) '-) (cons '- (map deriv (cdr a))))
        ((eq? (car a) '*)
         (list '* a (cons '+ (map (lambda (b) (list '/ (deriv b) b)) (cdr a)))))
        ((eq? (car a) '/)
         (list '- (list '/ (deriv (cadr a)) (caddr a))
               (list '/ (cadr a) (list '* (caddr a) (caddr a) (deriv (caddr a))))))
        (else (error "deriv: no rule for" a))))

;; (+ (* 3 x x) (* a x x) (* b x) 5) repeated k times
(define (poly k)
  (let loop ((i 0) (terms '(5)))
    (if (= i k)
        (cons '+ terms)
        (loop (+ i 1) (cons '(* 3 x x) (cons '(* a x x) (cons '(* b x) terms)))))))

(define (expected k)
  (let loop ((i 0) (terms '(0)))
    (if (= i k)
        (cons '+ terms)
        (loop (+ i 1)
              (cons '(* (* 3 x x) (+ (/ 0 3) (/ 1 x) (/ 1 x)))
                    (cons '(* (* a x x) (+ (/ 0 a) (/ 1 x) (/ 1 x)))
                          (cons '(* (* b x) (+ (/ 0 b) (/ 1 x))) terms)))))))

(define (main n)
  (let ((p (poly 8)) (want (expected 8)))
    (do ((i 0 (+ i 1))) ((= i n))
      (if (not (equal? (deriv p) want))
          (error "deriv: wrong derivative at iteration" i)))
    (let ((big (deriv (poly n))))
      (if (not (equal? big (expected n)))
          (error "deriv: wrong derivative of the big polynomial" n))
      (display "deriv ") (display n) (display " ") (display (length big)) (newline))))
