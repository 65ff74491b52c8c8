"""The image and its pixel table: built-in and uploaded images, the rows ``[1, x, y]``, and the moments one pass over them gives."""
