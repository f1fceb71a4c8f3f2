"""Accountability records: the ladder's proposals, confirmed or dismissed by a person."""
