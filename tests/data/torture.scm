;;; torture.scm: the reader's hardest standard syntax in one file, all of
;;; which R7RS readers (Chez Scheme included) read the same way: every value
;;; here reads losslessly (no bignum, no exact rational), so that a --dump of
;;; it, read by Chez Scheme beside this file, must be the same graph
;;; (tests/test_roundtrip.sh).
#| block comment #| nested |# still a comment |#
#;(this datum is skipped)
(quote (a . (b . (c . ()))))        ; the dotted spelling of (a b c)
'quoted `(qq ,unq ,@splice) #;skipped (after-skip)
[brackets (mixed [nesting])]
"escapes: \a\b\t\n\r \" \\ \x41; \x3bb; \x1F600; end"
"a string \
    continued"
|sym with spaces| || hello-World! ->x + - ... <=? a.b
#\a #\space #\newline #\tab #\nul #\delete #\alarm #\x41 #\x3bb #\( #\) #\;
#t #f #true #false
(0 -1 42 4611686018427387903 -4611686018427387904 9223372036854775807 -9223372036854775808)
(1.5 -0.25 1e10 1e-300 6.02214076e23 -0.0 0.1 +inf.0 -inf.0 #x-1F #b1011 #o777 #e1.0 #i3)
#(1 #(2 #(3 #(4 #()))) "v" sym #\c)
#vu8() #vu8(0 1 254 255)
(() (()) ((())) #() #(()))
#0=(cycle #1=#(#0# #1# "shared" #2=(x) #2#) . #0#)
(#3=(#4=#3#) #4# #3#)
(lambda (x) (let loop ((i 0)) (if (< i x) (loop (+ i 1)) 'done)))
(((((((((((((((((((((((((((((((((deep)))))))))))))))))))))))))))))))))
#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(#(vec))))))))))))))))))))
