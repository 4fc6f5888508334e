"""One grammar for every grounded caption the project writes.

:mod:`.phrases` holds the words (counts, articles, verbs, clause words, sentence templates) and
:func:`.phrases.sentence`, which joins a target phrase and its context clauses into a tagged
caption; :mod:`.relations` computes the predicates between geometries. The synthetic generator
(``training.synth``) and the caption writer for real annotations (``training.real_captions``)
both write captions through these two modules, so a phrase or a relation is defined once.
"""
