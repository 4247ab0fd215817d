"""Review 47, priors / compose / metadata: branches no test ran before.

Each test drives a branch of ``rebalance/_priors.py``, ``rebalance/compose.py``
or ``rebalance/_metadata.py`` that the whole suite never reached (coverage of
commit 376c7c8) through the public API, against an independent oracle (Bayes'
rule and EM by hand, the fitted members' own draws, scikit-learn's behaviour).
The tests of a bug fixed in this round say so.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.discriminant_analysis import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover
from rebalance.threshold import adjust_priors, em_priors


def _data(n=300, seed=0, p=(0.8, 0.2)):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(p), size=n, p=list(p))
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def _bayes(proba, train, deploy):
    """Bayes' rule by hand: p * deploy / train, renormalised."""
    moved = np.asarray(proba, float) * np.asarray(deploy) / np.asarray(train)
    return moved / moved.sum(axis=1, keepdims=True)


def _em(proba, train, n_iter=5000):
    """Saerens et al. (2002), written out: E-step Bayes, M-step mean."""
    priors = np.asarray(train, float) / np.sum(train)
    for _ in range(n_iter):
        posterior = _bayes(proba, train, priors)
        new = posterior.mean(axis=0)
        if np.abs(new - priors).max() < 1e-13:
            return new
        priors = new
    return priors


# ------------------------------------------------------------ class weights


@pytest.mark.parametrize("form", ["int", "str", "str-series", "categorical", "polars"])
def test_class_weight_dict_by_string_label_weights_the_training_priors(form):
    # _class_weight_of's branch for labels that are not whole numbers
    # (int("neg") fails: the label is looked up as a string) never ran.
    # Oracle: the class counts times the class weights, renormalised, the
    # same for every container of the same labels.
    X, y = _data()
    names = np.array(["neg", "pos"])
    weights = {0: 1.0, 1: 4.0}
    if form == "int":
        labels, class_weight = y, weights
    else:
        class_weight = {names[k]: v for k, v in weights.items()}
        labels = names[y]
        if form == "str-series":
            labels = pd.Series(labels, name="label")
        elif form == "categorical":
            labels = pd.Series(pd.Categorical(labels), name="label")
        elif form == "polars":
            pl = pytest.importorskip("polars")
            labels = pl.Series("label", labels)
    mover = ThresholdMover(
        LogisticRegression(class_weight=class_weight), deploy_priors="train"
    ).fit(X, labels)
    mass = np.bincount(y) * np.array([1.0, 4.0])
    np.testing.assert_allclose(mover.train_priors_, mass / mass.sum())
    np.testing.assert_allclose(mover.deploy_priors_, np.bincount(y) / len(y))
    # The probabilities are moved by Bayes' rule from those priors.
    raw = mover.estimator_.predict_proba(X[:20])
    np.testing.assert_allclose(
        mover.predict_proba(X[:20]),
        _bayes(raw, mover.train_priors_, mover.deploy_priors_),
    )


def test_class_weight_dict_for_digit_string_labels_as_sklearn_reads_it():
    # Labels "0"/"1": scikit-learn >= 1.8 looks the dict up by int("0"),
    # older versions by "0"; the dict the installed version accepts weights
    # the priors as its fit weights the rows.
    X, y = _data()
    labels = np.where(y == 1, "1", "0")
    accepted = 0
    for class_weight in ({0: 1.0, 1: 4.0}, {"0": 1.0, "1": 4.0}):
        tree = DecisionTreeClassifier(class_weight=class_weight, max_depth=2)
        try:
            tree.fit(X, labels)
        except ValueError:  # "The classes, [...], are not in class_weight"
            continue
        accepted += 1
        mover = ThresholdMover(tree, deploy_priors="train").fit(X, labels)
        mass = np.bincount(y) * np.array([1.0, 4.0])
        np.testing.assert_allclose(mover.train_priors_, mass / mass.sum())
    assert accepted == 1


class _OddClassWeight(ClassifierMixin, BaseEstimator):
    """A classifier whose class_weight is a form scikit-learn does not know."""

    def __init__(self, class_weight="custom"):
        self.class_weight = class_weight

    def fit(self, X, y):
        self.inner_ = LogisticRegression().fit(X, y)
        self.classes_ = self.inner_.classes_
        return self

    def predict_proba(self, X):
        return self.inner_.predict_proba(X)

    def predict(self, X):
        return self.inner_.predict(X)


def test_unknown_class_weight_form_leaves_the_priors_of_y():
    # _sklearn_class_weighted's last branch (a class_weight neither
    # 'balanced' nor a dict): only a custom estimator reaches it.
    X, y = _data()
    mover = ThresholdMover(_OddClassWeight(), deploy_priors=[0.5, 0.5]).fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / len(y))


def test_class_weight_zero_for_a_class_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match=r"class_weight gives the classes \[1\]"):
        ThresholdMover(
            LogisticRegression(class_weight={0: 1, 1: 0}), deploy_priors="train"
        ).fit(X, y)


# ----------------------------------------------------------- generative


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "estimator",
    [GaussianNB(), LinearDiscriminantAnalysis(), QuadraticDiscriminantAnalysis()],
    ids=["gnb", "lda", "qda"],
)
def test_generative_models_without_priors_follow_the_priors_of_y(estimator, weighted):
    # _chosen_priors' branch for LinearDiscriminantAnalysis /
    # QuadraticDiscriminantAnalysis(priors=None) never ran: their posteriors
    # follow the (weighted) class shares of y, which equal those of the rows
    # duplicated by the integer weights (the discriminant analyses' fit takes
    # no sample_weight: the weights are applied as repeated rows).
    X, y = _data(p=(0.7, 0.2, 0.1))
    weights = np.random.default_rng(1).integers(1, 4, size=len(y))
    kwargs = {"sample_weight": weights.astype(float)} if weighted else {}
    mover = ThresholdMover(estimator, deploy_priors=[1 / 3] * 3).fit(X, y, **kwargs)
    counts = np.bincount(np.repeat(y, weights) if weighted else y)
    np.testing.assert_allclose(mover.train_priors_, counts / counts.sum())
    own = getattr(mover.estimator_, "class_prior_", None)
    if own is None:
        own = mover.estimator_.priors_
    np.testing.assert_allclose(own, mover.train_priors_)


# -------------------------------------------------- bagging without bootstrap


def _mean_draw_shares(bagging, y, weights=None):
    """The mean class shares of a bagging's recorded draws, each row counted
    as often as drawn (times its weight up to scikit-learn 1.7, which fitted
    a member on all the rows, weighted 0 outside its draw)."""
    shares = []
    for rows in bagging.estimators_samples_:
        counts = np.bincount(rows, minlength=len(y)).astype(float)
        if weights is not None and not hasattr(bagging, "_sample_weight"):
            counts *= weights
        shares.append(np.bincount(y, weights=counts, minlength=2) / counts.sum())
    return np.mean(shares, axis=0)


def test_bagging_without_bootstrap_of_members_without_sample_weight():
    # _draws_without_replacement's branch for members fitted on their drawn
    # rows (KNN: its fit takes no sample_weight) never ran. Oracle: the mean
    # class shares of the members' recorded draws.
    X, y = _data()
    bagging = BaggingClassifier(
        KNeighborsClassifier(),
        n_estimators=5,
        bootstrap=False,
        max_samples=0.5,
        random_state=0,
    )
    mover = ThresholdMover(bagging, deploy_priors="train").fit(X, y)
    expected = _mean_draw_shares(mover.estimator_, y)
    assert not np.allclose(expected, np.bincount(y) / len(y))  # not y's shares
    np.testing.assert_allclose(mover.train_priors_, expected)


@pytest.mark.parametrize("request_weights", [True, False])
def test_bagging_without_bootstrap_under_metadata_routing(request_weights):
    # _bagging_member_takes_weights with routing on (never ran): a member
    # that requests sample_weight is fitted on all the rows weighted by their
    # draw counts, one that declines on its drawn rows; both give the mean
    # shares of the recorded draws (each row counted as often as drawn).
    X, y = _data()
    weights = np.random.default_rng(2).integers(1, 4, size=len(y)).astype(float)
    with sklearn.config_context(enable_metadata_routing=True):
        member = LogisticRegression().set_fit_request(sample_weight=request_weights)
        bagging = BaggingClassifier(
            member, n_estimators=5, bootstrap=False, max_samples=0.4, random_state=0
        )
        mover = ThresholdMover(bagging, deploy_priors="train")
        mover.set_fit_request(sample_weight=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "use bootstrap=True"
            mover.fit(X, y, sample_weight=weights)
    expected = _mean_draw_shares(
        mover.estimator_, y, weights if request_weights else None
    )
    np.testing.assert_allclose(mover.train_priors_, expected)


# ------------------------------------------------- priors read from models


def test_threshold_mover_of_a_threshold_mover_reads_its_deploy_priors():
    X, y = _data()
    inner = ThresholdMover(LogisticRegression(), deploy_priors=[0.3, 0.7])
    outer = ThresholdMover(inner, deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(outer.train_priors_, [0.3, 0.7])
    raw = outer.estimator_.predict_proba(X[:10])
    np.testing.assert_allclose(
        outer.predict_proba(X[:10]), _bayes(raw, [0.3, 0.7], outer.deploy_priors_)
    )


def test_threshold_mover_of_one_with_a_zero_deploy_prior_says_what_to_pass():
    # model_priors' branch for an inner ThresholdMover whose deploy_priors
    # give a class 0 never ran; its message read "... from there. pass
    # train_priors" (the fix glued on after a full stop, lower case).
    X, y = _data()
    inner = ThresholdMover(LogisticRegression(), deploy_priors=[1.0, 0.0])
    with pytest.raises(ValueError, match=r"moved from there: pass train_priors"):
        ThresholdMover(inner, deploy_priors="train").fit(X, y)
    # With the priors given, it works.
    outer = ThresholdMover(inner, train_priors=[0.5, 0.5], deploy_priors="train")
    assert outer.fit(X, y).predict(X[:5]).shape == (5,)


def _voting_with_unknown_member():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    from imblearn.over_sampling import SMOTE

    return VotingClassifier(
        [
            (
                "under",
                ResampledClassifier(
                    RandomUnderSampler(random_state=0), LogisticRegression()
                ),
            ),
            (
                "smote",
                ResampledClassifier(
                    RandomUnderSampler(random_state=0),
                    imblearn_pipeline.make_pipeline(
                        SMOTE(random_state=0), LogisticRegression()
                    ),
                ),
            ),
        ],
        voting="soft",
    )


def test_soft_voting_with_a_member_of_unknown_priors_is_refused():
    # ensemble_priors: a member whose resampled_priors_ is None (it resamples
    # again with SMOTE) makes the ensemble's priors unknown (never ran).
    X, y = _data()
    voting = _voting_with_unknown_member()
    with pytest.raises(ValueError, match="VotingClassifier has members that"):
        ThresholdMover(voting, deploy_priors="train").fit(X, y)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), voting)
    assert model.fit(X, y).resampled_priors_ is None


@pytest.mark.skipif(
    not any(
        "temperature" in getattr(option, "options", ())
        for option in CalibratedClassifierCV._parameter_constraints["method"]
    ),
    reason="method='temperature' needs scikit-learn >= 1.8",
)
def test_temperature_scaling_of_an_ensemble_of_unknown_priors_is_refused():
    # _refuse_temperature_of_reweighted: reading the priors of the
    # calibrated classifier raising is "reweighted" too (never ran).
    X, y = _data()
    calibrated = CalibratedClassifierCV(
        _voting_with_unknown_member(), method="temperature", cv=2
    )
    with pytest.raises(ValueError, match="method='temperature'"):
        ThresholdMover(calibrated, deploy_priors="train").fit(X, y)


# --------------------------------------------------- adjust_priors / em_priors


@pytest.mark.parametrize("dtype", [int, bool, object, "Float64", np.float32])
def test_adjust_priors_of_non_float_probabilities_follows_bayes(dtype):
    # _probabilities' branch for proba that is not a float array (ints,
    # bools, objects, a nullable frame) never ran.
    values = np.array([[1, 0], [0, 1], [0, 1]]) if dtype in (int, bool) else None
    if values is None:
        values = np.array([[0.2, 0.8], [0.5, 0.5], [0.75, 0.25]])
    if dtype == "Float64":
        proba = pd.DataFrame(values, columns=["a", "b"]).astype("Float64")
        train, deploy = {"b": 0.5, "a": 0.5}, {"b": 0.1, "a": 0.9}
    else:
        proba = values.astype(dtype)
        train, deploy = [0.5, 0.5], [0.9, 0.1]
    got = adjust_priors(proba, train, deploy)
    np.testing.assert_allclose(got, _bayes(values, [0.5, 0.5], [0.9, 0.1]), rtol=1e-6)


def test_adjust_priors_by_label_must_name_the_columns():
    proba = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], columns=["a", "b"])
    for train in ({"a": 0.5, "c": 0.5}, {"a": 0.4, "b": 0.3, "c": 0.3}):
        with pytest.raises(ValueError, match=r"proba's columns are \['a', 'b'\]"):
            adjust_priors(proba, train, [0.5, 0.5])
    by_label = adjust_priors(proba, pd.Series({"b": 0.2, "a": 0.8}), [0.5, 0.5])
    np.testing.assert_allclose(by_label, _bayes(proba, [0.8, 0.2], [0.5, 0.5]))


def test_deploy_priors_dict_of_arrays_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="deploy_priors must map each class to one"):
        ThresholdMover(LogisticRegression(), deploy_priors={0: [0.5], 1: [0.5]}).fit(
            X, y
        )


@pytest.mark.parametrize("max_iter", [10.0, "10", True])
def test_em_priors_max_iter_must_be_an_integer(max_iter):
    proba = np.array([[0.2, 0.8], [0.5, 0.5]])
    with pytest.raises(TypeError, match="max_iter=.* must be an integer >= 1"):
        em_priors(proba, [0.5, 0.5], max_iter=max_iter)


@pytest.mark.parametrize("container", ["numpy", "float32", "pandas", "polars"])
def test_em_priors_matches_saerens_em_written_out(container):
    # The same deployment rows in each container give the EM of Saerens et
    # al. written independently (numpy integer max_iter and tol accepted).
    rng = np.random.default_rng(3)
    X, y = _data(n=400, p=(0.5, 0.3, 0.2))
    model = LogisticRegression().fit(X, y)
    # Deployment rows at other priors: 10/30/60 %.
    deploy_y = rng.choice(3, size=500, p=[0.1, 0.3, 0.6])
    X_deploy = rng.normal(size=(500, 3)) + deploy_y[:, None]
    proba = model.predict_proba(X_deploy)
    train = np.bincount(y) / len(y)
    expected = _em(proba, train)
    given_proba, given_train = proba, train
    if container == "float32":
        given_proba = proba.astype(np.float32)
    elif container == "pandas":
        given_proba = pd.DataFrame(proba, columns=["x", "y", "z"])
        given_train = pd.Series(train[::-1], index=["z", "y", "x"])
    elif container == "polars":
        pl = pytest.importorskip("polars")
        given_proba = pl.DataFrame(proba, schema=["x", "y", "z"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        got = em_priors(
            given_proba, given_train, tol=np.float64(1e-12), max_iter=np.int64(5000)
        )
    atol = 1e-5 if container == "float32" else 1e-9
    np.testing.assert_allclose(got, expected, atol=atol)
    assert got[2] > got[0]  # the shift towards class 2 is found


# ------------------------------------------------ ResampledClassifier routing


def test_sampler_weights_alias_not_reaching_an_unset_classifier_is_refused():
    # _check_weights_used with a classifier whose request is unset (None)
    # and a sampler that takes the weights under an alias (never ran).
    X, y = _data()
    weights = np.random.default_rng(4).random(len(y)) + 0.5
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight="w"
        )
        model = ResampledClassifier(sampler, LogisticRegression())
        with pytest.raises(ValueError, match="has no request set for its"):
            model.fit(X, y, w=weights)
        pipeline = make_pipeline(StandardScaler(), LogisticRegression())
        model = ResampledClassifier(sampler, pipeline)
        with pytest.raises(ValueError, match="Pipeline's steps ask for a"):
            model.fit(X, y, w=weights)
        # Requested under the same alias, the weights reach both, resampled.
        classifier = LogisticRegression().set_fit_request(sample_weight="w")
        model = ResampledClassifier(sampler, classifier).fit(X, y, w=weights)
        rows = model.sampler_.sample_indices_
        direct = LogisticRegression().fit(X[rows], y[rows], sample_weight=weights[rows])
        np.testing.assert_allclose(model.classifier_.coef_, direct.coef_)


class _BadIndicesSampler(BaseEstimator):
    """A sampler that keeps every row but records broken sample_indices_."""

    def __init__(self, kind="2d"):
        self.kind = kind

    def fit_resample(self, X, y):
        n = len(y)
        if self.kind == "2d":
            self.sample_indices_ = np.arange(n).reshape(-1, 1)
        elif self.kind == "float":
            self.sample_indices_ = np.arange(n, dtype=float)
        else:  # out of range
            self.sample_indices_ = np.arange(n) + 1
        return X, y


@pytest.mark.parametrize("kind", ["2d", "float"])
def test_sampler_with_broken_sample_indices_is_refused_with_row_params(kind):
    # _check_indices_match's first branch (not 1-D integer indices) never ran.
    X, y = _data()
    model = ResampledClassifier(_BadIndicesSampler(kind), LogisticRegression())
    with pytest.raises(ValueError, match="is not 1-D integer row indices"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
    assert model.fit(X, y).resampled_priors_ is not None  # no row params: fine


@pytest.mark.parametrize("kind", ["2d", "float", "range"])
def test_pipeline_sampler_with_broken_sample_indices_is_refused(kind):
    # labels_seen: a pipeline's sampler step whose sample_indices_ are not
    # rows of the labels it got (never ran).
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = _data()
    pipeline = imblearn_pipeline.make_pipeline(
        _BadIndicesSampler(kind), LogisticRegression()
    )
    with pytest.raises(ValueError, match="sample_indices_ are not rows of the"):
        ThresholdMover(pipeline, deploy_priors="train").fit(X, y)


# ------------------------------------------------------ fit parameters


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the fit parameters it gets."""

    def fit(self, X, y, sample_weight=None, **params):
        self.params_ = params
        self.n_rows_ = len(y)
        self.inner_ = LogisticRegression().fit(X, y)
        self.classes_ = self.inner_.classes_
        return self

    def predict(self, X):
        return self.inner_.predict(X)


def test_scalar_and_object_fit_params_pass_through_unresampled():
    # _length's branches for scalars, objects without a length and 0-d
    # arrays never ran: they are no per-row values, passed on as given.
    X, y = _data()
    marker = object()
    zero_d = np.array(5.0)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    model.fit(X, y, flag=True, scale=2.5, token=marker, zero_d=zero_d)
    got = model.classifier_.params_
    assert got["flag"] is True and got["scale"] == 2.5
    assert got["token"] is marker and got["zero_d"] is zero_d
    assert model.classifier_.n_rows_ == 2 * np.bincount(y).min()
    tree = ResampledClassifier(
        RandomUnderSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    plain = ResampledClassifier(
        RandomUnderSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    np.testing.assert_array_equal(
        tree.fit(X, y, check_input=True).predict(X), plain.fit(X, y).predict(X)
    )


@pytest.mark.parametrize("known_chunks", [True, False])
@pytest.mark.parametrize("meta", ["resampled", "threshold"])
def test_dask_x_with_weights_for_a_classifier_without_them(known_chunks, meta):
    # Fixed in review 47: whole-number sample_weight for a classifier whose
    # fit takes none is applied as repeated rows, in memory. With a Dask X of
    # unknown chunk sizes the error said the weights (all ones) "are not
    # repetition counts"; with known chunks it named "data", not X.
    da = pytest.importorskip("dask.array")
    X, y = _data()
    X_dask, y_dask = da.from_array(X, chunks=100), da.from_array(y, chunks=100)
    if not known_chunks:
        keep = da.from_array(X[:, 0], chunks=100) > -100  # every row
        X_dask, y_dask = X_dask[keep], y_dask[keep]
    if meta == "resampled":
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), KNeighborsClassifier()
        )
    else:
        model = ThresholdMover(KNeighborsClassifier())
    with pytest.raises(TypeError, match=r"X is a Dask collection.*X\.compute\(\)"):
        model.fit(X_dask, y_dask, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("with_nan", [False, True])
def test_numeric_categorical_column_is_checked_for_nan_as_sklearn_does(with_nan):
    # _pandas_numbers' branch for a categorical column (never ran): its
    # numbers are read as the classifier reads them, NaN included.
    X, y = _data()
    rng = np.random.default_rng(5)
    values = rng.choice([1.0, 2.0], size=len(y))
    if with_nan:
        values[::7] = np.nan
    frame = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(values)})
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    if with_nan:
        with pytest.raises(ValueError, match="Input X contains NaN"):
            LogisticRegression().fit(frame, y)  # scikit-learn's own error
        with pytest.raises(ValueError, match="Input X contains NaN"):
            model.fit(frame, y)
        return
    model.fit(frame, y)
    floats = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(frame.astype({"c": float}), y)
    np.testing.assert_allclose(model.classifier_.coef_, floats.classifier_.coef_)


@pytest.mark.parametrize(
    "classifier", [LogisticRegression(), GaussianNB()], ids=["lr", "gnb"]
)
def test_draw_of_only_zero_weight_rows_names_the_sampler(classifier):
    # Fixed in review 47: weights positive on one row only, which the
    # under-sampler left out: the classifier got all-zero weights and
    # scikit-learn said "Sample weights must contain at least one non-zero
    # number" (the weights given do). The error now says the draw did it.
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    X = rng.normal(size=(100, 2))
    weights = np.zeros(100)
    weights[0] = 1.0
    model = ResampledClassifier(RandomUnderSampler(random_state=0), classifier)
    with pytest.raises(ValueError, match="drew only rows of sample_weight 0"):
        model.fit(X, y, sample_weight=weights)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    assert 0 not in sampler.sample_indices_  # the same draw left row 0 out
    # The same for the weights of a pipeline's last step; weights all 0 from
    # the start are the classifier's to refuse (not the draw's doing).
    piped = ResampledClassifier(
        RandomUnderSampler(random_state=0), make_pipeline(StandardScaler(), classifier)
    )
    key = f"{type(classifier).__name__.lower()}__sample_weight"
    with pytest.raises(ValueError, match="drew only rows of sample_weight 0"):
        piped.fit(X, y, **{key: weights})
    # (scikit-learn >= 1.8 refuses them in the fit; older versions fit, and
    # the training priors are then undefined.)
    with pytest.raises(ValueError, match="at least one non-zero|sums to 0"):
        piped.fit(X, y, **{key: np.zeros(100)})
    # Kept by the draw (here every row is kept): fitted, and the
    # priors are those of the resampled weights (row 0 only: class 0).
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0, sampling_strategy={0: 90, 1: 10}),
        classifier,
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(model.resampled_priors_, [1.0, 0.0])


def test_ragged_list_x_is_left_to_the_sampler_error():
    # _check_finite_for's branch for a list X numpy cannot read (never ran).
    X = [[1.0, 2.0], [3.0]] * 5
    y = [0, 1] * 5
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(ValueError, match="every row of X must hold the same"):
        model.fit(X, y)


def test_text_column_does_not_hide_nan_in_a_number_column():
    # _pandas_column_numbers' branch for an object column of text (never
    # ran): it is skipped (the classifier's to refuse), the numbers are not.
    X, y = _data()
    frame = pd.DataFrame(
        {"a": X[:, 0], "s": np.random.default_rng(6).choice(["u", "v"], len(y))}
    ).astype({"s": object})
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    with pytest.raises(ValueError, match="could not convert string to float"):
        model.fit(frame, y)  # scikit-learn's own error, as without the sampler
    frame.loc[frame.index[-1], "a"] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.fit(frame, y)


@pytest.mark.parametrize("name", ["sample_weight", "groups"])
def test_row_params_with_dask_x_of_unknown_chunks_are_refused(name):
    # row_aligned_names with no row count (never ran in this path): a
    # per-row value cannot be told from another one; refused, not guessed.
    da = pytest.importorskip("dask.array")
    X, y = _data()
    keep = da.from_array(X[:, 0], chunks=100) > -100
    X_dask = da.from_array(X, chunks=100)[keep]
    y_dask = da.from_array(y, chunks=100)[keep]
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    with pytest.raises(
        ValueError, match=rf"Cannot tell whether the fit parameters \['{name}'\]"
    ):
        model.fit(X_dask, y_dask, **{name: np.ones(len(y))})


@pytest.mark.parametrize("container", ["pandas", "polars", "pyarrow", "record_batch"])
@pytest.mark.parametrize("by", ["dict", "series"])
def test_priors_by_label_read_the_columns_of_any_dataframe(container, by):
    # Fixed in review 47: priors given by class label (a dict, a Series from
    # value_counts) were read against the columns of a pandas proba only; a
    # polars or pyarrow proba with the same columns raised "proba is an
    # array whose columns carry no labels". The same data in every container
    # gives Bayes' rule by hand, in adjust_priors and em_priors.
    values = np.array([[0.2, 0.8], [0.6, 0.4], [0.9, 0.1], [0.3, 0.7]])
    if container == "pandas":
        proba = pd.DataFrame(values, columns=["a", "b"])
    elif container == "polars":
        pl = pytest.importorskip("polars")
        proba = pl.DataFrame(values, schema=["a", "b"])
    else:
        pa = pytest.importorskip("pyarrow")
        make = pa.table if container == "pyarrow" else pa.record_batch
        proba = make([values[:, 0], values[:, 1]], names=["a", "b"])
    train, deploy = {"b": 0.4, "a": 0.6}, {"b": 0.1, "a": 0.9}
    if by == "series":
        train, deploy = pd.Series(train), pd.Series(deploy)
    np.testing.assert_allclose(
        adjust_priors(proba, train, deploy), _bayes(values, [0.6, 0.4], [0.9, 0.1])
    )
    np.testing.assert_allclose(
        em_priors(proba, train, tol=1e-13), _em(values, [0.6, 0.4]), atol=1e-9
    )
    with pytest.raises(ValueError, match=r"proba's columns are \['a', 'b'\]"):
        adjust_priors(proba, {"a": 0.5, "c": 0.5}, [0.5, 0.5])


class _BoosterLike(LogisticRegression):
    """Stands for an XGBoost classifier (its module is read): a logistic
    regression with XGBoost's objective and scale_pos_weight parameters."""

    def __init__(self, objective="binary:logistic", scale_pos_weight=None):
        super().__init__()
        self.objective = objective
        self.scale_pos_weight = scale_pos_weight


_BoosterLike.__module__ = "xgboost.sklearn"


def test_xgboost_scale_pos_weight_by_objective():
    # _booster_class_factors' XGBoost branches (xgboost is not installed in
    # the test environment: never ran): a logistic objective weights the
    # positive class by scale_pos_weight, a custom (callable) objective
    # ignores it, another objective is refused.
    X, y = _data()
    shares = np.bincount(y) / len(y)

    def fitted(objective):
        model = _BoosterLike(objective=objective, scale_pos_weight=3.0)
        return ThresholdMover(model, deploy_priors="train").fit(X, y)

    weighted = shares * [1.0, 3.0]
    np.testing.assert_allclose(
        fitted("binary:logistic").train_priors_, weighted / weighted.sum()
    )
    np.testing.assert_allclose(fitted(lambda *a: None).train_priors_, shares)
    with pytest.raises(ValueError, match="scale_pos_weight with objective="):
        fitted("binary:hinge")


def test_one_vs_rest_with_a_class_of_zero_weight_under_routing():
    # _refuse_class_weighted_one_vs_rest's branch for a class of prior 0
    # (never ran): routed weights 0 for every row of class 2 leave its binary
    # model no positive weight; the priors say so, and class-weighted binary
    # models are still refused (resampled_priors_ None).
    from sklearn.multiclass import OneVsRestClassifier

    X, y = _data(p=(0.6, 0.3, 0.1))
    weights = np.where(y == 2, 0.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0), OneVsRestClassifier(inner)
        ).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5, 0.0])
        inner = LogisticRegression(class_weight={0: 1, 1: 2})
        model = ResampledClassifier(
            RandomUnderSampler(random_state=0),
            OneVsRestClassifier(inner.set_fit_request(sample_weight=True)),
        ).fit(X, y, sample_weight=weights)
        assert model.resampled_priors_ is None
