;;; graph-iso.ss: is a `harness --dump` of a Scheme file the same graph as
;;; the file itself, both read by this Scheme's own reader?
;;;   scheme --script tests/graph-iso.ss ORIGINAL DUMP
;;; ORIGINAL holds any number of data; DUMP holds one datum, the list of them
;;; (the sexp workload's root).  The two are walked side by side with a
;;; bijection kept in two eq-hashtables: every pair, vector, string and
;;; bytevector of one side must correspond to exactly one of the other, so
;;; that sharing and cycles are compared, not just shapes (equal? alone would
;;; call (#0=(x) #0#) and ((x) (x)) the same, and loop on a cycle).  Atoms
;;; are compared with eqv?, strings and bytevectors by content.
;;; Prints one line; exit 0 when isomorphic, 1 with the first difference.
(define (read-all path)
  (call-with-input-file path
    (lambda (p)
      (let loop ((acc '()))
        (let ((d (read p)))
          (if (eof-object? d) (reverse acc) (loop (cons d acc))))))))

(define (fail fmt . args)
  (apply printf fmt args)
  (newline)
  (exit 1))

(define args (cdr (command-line)))
(unless (= (length args) 2) (fail "usage: graph-iso.ss ORIGINAL DUMP"))
(define original (read-all (car args)))
(define dumped (read-all (cadr args)))
(unless (= (length dumped) 1) (fail "~a holds ~a data, expected one" (cadr args) (length dumped)))

(define a->b (make-eq-hashtable))
(define b->a (make-eq-hashtable))
(define counts (make-eq-hashtable))

;; #t when a and b are newly paired (their contents still to compare), #f
;; when they were already paired with each other; fails when either is
;; paired with another object.
(define (pair-up! kind a b)
  (let ((x (hashtable-ref a->b a #f)) (y (hashtable-ref b->a b #f)))
    (cond ((and (not x) (not y))
           (hashtable-set! a->b a b)
           (hashtable-set! b->a b a)
           (hashtable-update! counts kind (lambda (n) (+ n 1)) 0)
           #t)
          ((and (eq? x b) (eq? y a)) #f)
          (else (fail "sharing differs: a ~a corresponds to two objects (~s)" kind a)))))

(let loop ((todo (list (cons original (car dumped)))))
  (unless (null? todo)
    (let ((a (caar todo)) (b (cdar todo)) (rest (cdr todo)))
      (cond
        ((pair? a)
         (unless (pair? b) (fail "a pair became ~s" b))
         (loop (if (pair-up! 'pair a b)
                   (cons* (cons (car a) (car b)) (cons (cdr a) (cdr b)) rest)
                   rest)))
        ((vector? a)
         (unless (and (vector? b) (= (vector-length a) (vector-length b)))
           (fail "a vector of ~a became ~s" (vector-length a) b))
         (loop (if (pair-up! 'vector a b)
                   (append (map cons (vector->list a) (vector->list b)) rest)
                   rest)))
        ((string? a)
         (unless (and (string? b) (string=? a b)) (fail "string ~s became ~s" a b))
         (pair-up! 'string a b)
         (loop rest))
        ((bytevector? a)
         (unless (and (bytevector? b) (bytevector=? a b)) (fail "bytevector ~s became ~s" a b))
         (pair-up! 'bytevector a b)
         (loop rest))
        (else
         (unless (eqv? a b) (fail "atom ~s became ~s" a b))
         (loop rest))))))

(printf "isomorphic: ~a pairs, ~a vectors, ~a strings, ~a bytevectors in one-to-one correspondence~%"
        (hashtable-ref counts 'pair 0) (hashtable-ref counts 'vector 0)
        (hashtable-ref counts 'string 0) (hashtable-ref counts 'bytevector 0))
