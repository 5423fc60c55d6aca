;; boyer: a Boyer-style term rewriter (after Gabriel's boyer): terms are
;; rewritten bottom-up with a table of lemmas, indexed by the head symbol,
;; by one-way unification, then checked by the tautology checker.
;; (main N) proves the chain (a1 => a2) & ... & (aN-1 => aN) => (a1 => aN),
;; refutes its converse, and normalises a left-nested sum of N terms.
;; sizes: test=2 sweep=3 compare=20

(define lemmas
  '((implies (implies p q) (if p (if q #t #f) #t))
    (and (and p q) (if p (if q #t #f) #f))
    (or (or p q) (if p #t (if q #t #f)))
    (not (not p) (if p #f #t))
    (if (if (if p q r) s u) (if p (if q s u) (if r s u)))
    (plus (plus (plus x y) z) (plus x (plus y z)))
    (plus (plus zero x) x)
    (times (times x (plus y z)) (plus (times x y) (times x z)))
    (times (times (times x y) z) (times x (times y z)))
    (equal (equal x x) #t)))

(define variables '(p q r s u x y z))

(define (lemmas-for head)
  (let loop ((ls lemmas) (acc '()))
    (cond ((null? ls) (reverse acc))
          ((eq? (car (car ls)) head) (loop (cdr ls) (cons (cdr (car ls)) acc)))
          (else (loop (cdr ls) acc)))))

;; one-way unification of term against pattern: the extended substitution, or #f
(define (unify term pattern subst)
  (cond ((memq pattern variables)
         (let ((b (assq pattern subst)))
           (cond ((not b) (cons (cons pattern term) subst))
                 ((equal? (cdr b) term) subst)
                 (else #f))))
        ((not (pair? pattern)) (if (equal? term pattern) subst #f))
        ((not (pair? term)) #f)
        ((not (eq? (car term) (car pattern))) #f)
        (else (unify-args (cdr term) (cdr pattern) subst))))

(define (unify-args terms patterns subst)
  (cond ((and (null? terms) (null? patterns)) subst)
        ((or (null? terms) (null? patterns)) #f)
        (else (let ((s (unify (car terms) (car patterns) subst)))
                (and s (unify-args (cdr terms) (cdr patterns) s))))))

(define (apply-subst subst term)
  (if (pair? term)
      (cons (car term) (map (lambda (t) (apply-subst subst t)) (cdr term)))
      (let ((b (assq term subst)))
        (if b (cdr b) term))))

(define (rewrite term)
  (if (not (pair? term))
      term
      (rewrite-with-lemmas (cons (car term) (map rewrite (cdr term)))
                           (lemmas-for (car term)))))

(define (rewrite-with-lemmas term ls)
  (if (null? ls)
      term
      (let ((s (unify term (car (car ls)) '())))
        (if s
            (rewrite (apply-subst s (cadr (car ls))))
            (rewrite-with-lemmas term (cdr ls))))))

(define (truep x true-lst) (or (eq? x #t) (member x true-lst)))
(define (falsep x false-lst) (or (eq? x #f) (member x false-lst)))

(define (tautologyp x true-lst false-lst)
  (cond ((truep x true-lst) #t)
        ((falsep x false-lst) #f)
        ((not (pair? x)) #f)
        ((eq? (car x) 'if)
         (cond ((truep (cadr x) true-lst) (tautologyp (caddr x) true-lst false-lst))
               ((falsep (cadr x) false-lst) (tautologyp (cadddr x) true-lst false-lst))
               (else (and (tautologyp (caddr x) (cons (cadr x) true-lst) false-lst)
                          (tautologyp (cadddr x) true-lst (cons (cadr x) false-lst))))))
        (else #f)))

(define (tautp x) (tautologyp (rewrite x) '() '()))

;; (main N) proves N implication chains (ai => ai+1) & (ai+1 => ai+2) &
;; (ai+2 => ai+3) => (ai => ai+3), refutes their converses, and normalises
;; a left-nested sum of N terms.
(define (atom i) (string->symbol (string-append "a" (number->string i))))

;; (and (implies ai ai+1) (and ... (implies aj-1 aj)))
(define (chain i j)
  (if (= i (- j 1))
      (list 'implies (atom i) (atom j))
      (list 'and (list 'implies (atom i) (atom (+ i 1))) (chain (+ i 1) j))))

;; (plus (plus ... (plus a1 a2) ...) aN) and (plus a1 (plus a2 ... aN))
(define (left-sum n)
  (let loop ((i 2) (t (atom 1)))
    (if (> i n) t (loop (+ i 1) (list 'plus t (atom i))))))
(define (right-sum i n)
  (if (= i n) (atom n) (list 'plus (atom i) (right-sum (+ i 1) n))))

(define (main n)
  (do ((i 1 (+ i 1))) ((> i n))
    (if (not (tautp (list 'implies (chain i (+ i 3)) (list 'implies (atom i) (atom (+ i 3))))))
        (error "boyer: an implication chain was not proved" i))
    (if (tautp (list 'implies (list 'implies (atom i) (atom (+ i 3))) (list 'implies (atom (+ i 3)) (atom i))))
        (error "boyer: a non-theorem was proved" i)))
  (let ((sum (rewrite (left-sum (max n 2)))))
    (if (not (equal? sum (right-sum 1 (max n 2))))
        (error "boyer: the sum did not normalise" sum))
    (display "boyer ") (display n) (display " ") (display (length (rewrite (chain 1 4))))
    (newline)))
