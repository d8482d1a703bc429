"""Reading submitted files safely: one module per format over bounded containers."""
