"""The quality improvement tools: aims, measures, driver diagrams, fishbones and more."""
