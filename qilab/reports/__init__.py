"""Reports built from qilab's analyses: the Making Data Count board report."""
