module faultstack

go 1.26
