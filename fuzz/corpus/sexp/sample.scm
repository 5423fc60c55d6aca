#!/usr/bin/env guile
!#
;;; sample.scm: a small Scheme program that uses the reader's whole syntax.
;;; tests/test_readers.c loads it and checks its shape; every strategy must
;;; transmigrate it intact.

(define-library (regionlab sample)
  (export fact fib make-queue queue-push! ring)
  (import (scheme base) (scheme write))
  (begin
    #| A block comment, #| nested |#, spanning
       several lines. |#
    (define (fact n)
      (if (<= n 1) 1 (* n (fact (- n 1)))))

    (define (fib n)                     ; iterative
      (let loop ([a 0] [b 1] [i 0])
        (if (= i n) a (loop b (+ a b) (+ i 1)))))

    #;(define (unused x) "this whole datum is a comment")

    (define (make-queue) (cons '() '()))
    (define (queue-push! q x)
      (let ((cell (list x)))
        (if (null? (car q)) (set-car! q cell) (set-cdr! (cdr q) cell))
        (set-cdr! q cell)))

    (define greeting "Hello,\tworld!\n\x3bb; is \"lambda\" \
                      and this line continues")
    (define chars (list #\a #\space #\newline #\x41 #\( #\λ #\nul))
    (define numbers '(0 -17 #x1F #b1010 3.25 -1e-3 1/3 6/3 +inf.0
                      4611686018427387904 123456789012345678901234567890))
    (define flags (vector #t #f #true #false))
    (define bytes #u8(0 1 127 255))
    (define template `(x ,(fact 3) ,@(list 1 2) . end))
    (define keywords '(#:key value #:other 2))
    (define |odd symbol| 'ok)
    (define ring '#0=(a b c . #0#))
    (define shared '(#1=(leaf) #1# #1#))
    (define tree '#2=#(node #2# (child . #2#)))))
