#\
ab