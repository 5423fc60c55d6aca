;;; labels.scm: datum labels written by hand, every shape of sharing and
;;; cycle the reader must rebuild exactly (tests/test_roundtrip.c checks the
;;; sharing of each; Chez Scheme reads this file too, tests/test_roundtrip.sh).

;; A label naming an enclosing label, used after that datum closed.
(#0=(#1=#0#) #1#)
(#0=(x . #1=#0#) #1#)
(#0=#(#1=#0#) #1#)
;; Chains of such labels, used inside and after.
(#0=(a #1=(b #2=#1# #3=#0#) #2# #3#) #1# #2# #3#)
(#0=(#1=(#2=#0#)) #1# #2#)
;; Rings and self-reference through every slot.
#0=(1 2 . #0#)
#0=(#0# . #0#)
#0=#(#0# #0# (#0#))
#0=(a #1=#(b #0# #1#) . #0#)
;; Sharing without cycles: a cell, a string, a vector, a bytevector.
(#0=(leaf) #0# #0#)
(#0="text" #0# ("text"))
(#0=#(1 2) #0# #(1 2))
(#0=#vu8(1 2 3) #0#)
;; Labels inside quote and quasiquote, and a shared tail.
(#0=(q . '#1=#0#) . #1#)
(a . #0=(b c)) 
(#0=(x y) . #0#)
((#0=(z) . #0#) (#1=(w) #1#))
;; Labels may be reused after their top-level datum.
(#0=(reused) #0#)
(#0=(again) #0#)
;; Deeply nested labels.
#0=(#1=(#2=(#3=(#4=(#0# #1# #2# #3# #4#)))))
