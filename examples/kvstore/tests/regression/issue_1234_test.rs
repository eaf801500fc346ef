// Regression test for issue #1234 (demo file)
