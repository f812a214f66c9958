"""ipywidgets front ends over qilab's plain functions."""
