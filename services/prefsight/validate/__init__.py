"""Validate the predictions against real DPO: predict, train, measure, compare, intervene.

``prefsight validate`` and ``bench/validate.py`` run ``run.validate``; the modules:
``predict`` (first-order DPO shift from the training pairs), ``train`` (TRL DPO),
``measure`` (generations scored through the concept-kind registry, preference
margins), ``compare`` (R², Spearman, CIs, ``shift_scale``, scatter SVG),
``interventions`` (filter, inoculate, steer, shape). Imports nothing heavy here.
"""
