"""Real terms that sit within a typo or two of a *different* term.

A typed word is never accepted as a misspelling of the expected word when it is itself one
of these terms, or lies at least as close to one of them as to the expected word: the
learner may have meant the other term ("macro" for "micro", "quartile" for "quantile",
"exploitation" for "exploration"). Words shorter than five letters never fuzz-match at
all, so they need not be listed. Spelling variants of one term (normalise/normalize) must
not both be listed; ``text_match`` folds -ise/-ize itself.
"""

from __future__ import annotations

_TERMS = """
micro macro mini maxi minimal maximal minimum maximum minima maxima
encoder decoder encoding decoding encoders decoders encode decode
unigram bigram trigram ngram
precision recall prevision decision
variance covariance variant variants variation validation valuation
correlation covariation autocorrelation
stationary stationarity
exploration exploitation explore exploit
quantile quartile quintile percentile decile
anova ancova manova
estimate estimator estimand
reducible irreducible
dependent independent dependence independence
biased unbiased
supervised unsupervised
parametric nonparametric
linear nonlinear bilinear
convex concave nonconvex
positive negative
sensitivity specificity
upsampling downsampling oversampling undersampling
overfitting underfitting overfit underfit
sharding sharing
decay delay
logit logic login
softmax softmin
sigmoid sinusoid
median medial medium
model modal
dilated diluted dilation dilution
interpolation extrapolation
induction deduction inductive deductive transductive
discriminative generative
pooling polling
hamming hanning
bagging boosting stacking
ridge lasso
online offline
inner outer
forward backward
shallow shadow
forget format
batch patch match
instance distance
sample simple
local global
prior priors posterior
marginal marginals
"""

CONFUSABLES: frozenset[str] = frozenset(_TERMS.split())
