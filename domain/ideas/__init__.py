"""The ideas context: content records collected from many sources, scored and categorised."""
