"""Evaluation harness: text<->image retrieval (Artpedia protocol), simulated relevance feedback, ANN recall."""
