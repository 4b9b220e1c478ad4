module github.com/testidp/testidp/bench

go 1.26.8
