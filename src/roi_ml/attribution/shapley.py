"""Shapley-value attribution over the distinct entities of each journey.

Players and value function. The players of a journey are its DISTINCT entities (order and
repeats are ignored; the path cap is applied first). For a coalition S (a set of entities),
v(S) is the observed conversion rate of the journeys whose distinct-entity set is exactly S,
counting converting and non-converting journeys (weighted by ``journey_count``):
v(S) = c_S / n_S.

Unseen coalitions. Most subsets of a long journey are never observed as a journey of their own.
For an unseen S, v(S) = the pooled conversion rate of the LARGEST observed proper subsets of S:
among the observed coalitions T ⊊ S (T ≠ ∅), take those of the largest size and use
Σ c_T / Σ n_T. Why: it is what the data say about journeys "like S but missing the entities we
never saw S with"; it never invents a rate out of nothing, and it keeps the marginal
contribution of an entity that turns an observed T into an unseen S at zero instead of the large
negative −v(T) that "v(S) = 0 for unseen S" (DP6, Zhao et al.'s simplified Shapley) hands out —
that rule rewards entities for appearing only in the observed combination and punishes them for
everything else. If no proper subset is observed, v(S) = ``baseline_rate``.

Shrinkage (``prior_journeys`` = m, default 0): an observed S with few journeys is pulled toward
that same subset-based rate p_S: v(S) = (c_S + m·p_S) / (n_S + m). With m = 0 an observed
coalition keeps its raw rate, as specified; an unseen one (n_S = 0) gets p_S either way.

Baseline. v(∅) = ``baseline_rate`` (default 0): the conversion rate with no touch. It is NOT
estimated from journeys without touches, because tracking data holds almost only the converting
ones (a non-converter without a touch is never seen), which would put v(∅) near 1.

Computation. Journeys with the same distinct set share their Shapley values, so values are
computed once per distinct set of the converting journeys (cached by coalition). Sets of up to
``max_exact_entities`` players are solved exactly: all 2ⁿ subsets are looked up at once through
128-bit set hashes (XOR of per-entity blake2b hashes; a collision among observed coalitions
raises, the chance is ~1e-20), the largest-observed-subset rates come from subset-sum transforms
level by level, and φ_i = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ i) − v(S)), all vectorised over
sets of the same size. Larger sets use ``n_permutations`` random orderings per set, drawn from a
generator seeded by ``random_state`` and the set's own hash, so a journey's credit depends on
neither the order of the data nor the other journeys: same input → same credit.

Scaling, zero and negative values. Σ_i φ_i = v(N) − v(∅). Each journey's conversions and value
are split ∝ max(φ_i, 0): an entity whose presence lowered the observed rate (φ_i < 0, common
with noisy rates of rare coalitions) gets no credit rather than negative credit, which would
break the "credit ≥ 0" contract of every other model and could exceed the journey's total. If no
entity has φ_i > 0 (v(N) ≤ v(∅)), the journey is split equally among its distinct entities.
Both cases are counted in the info dict.
"""

from __future__ import annotations

import hashlib
from math import factorial

import numpy as np
import pandas as pd
import scipy.sparse as sp

from roi_ml.attribution.journeys import (
    EncodedJourneys,
    credit_frame,
    distinct_pairs,
    encode_journeys,
    log,
)

_LATTICE_CELLS = 2**20  # subsets handled per vectorised batch (~100 MB of work arrays)
_MAX_LATTICE_ENTITIES = 20


def entity_hashes(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes per entity name (blake2b, stable across runs and machines)."""
    digest = b"".join(hashlib.blake2b(str(x).encode("utf-8"), digest_size=16).digest() for x in names)
    h = np.frombuffer(digest, dtype="<u8").reshape(-1, 2) if len(names) else np.zeros((0, 2), "<u8")
    return h[:, 0].astype(np.uint64), h[:, 1].astype(np.uint64)


def _group_sets(enc: EncodedJourneys, h1: np.ndarray, h2: np.ndarray, converting_only: bool):
    """Distinct-entity sets of journeys with touches, grouped by their 128-bit hash.

    Returns (journeys, set id per journey, key1, key2, set sizes, members CSR indptr, member
    codes); sets are ordered by key1 and members sorted by entity code.
    """
    j, e, _ = distinct_pairs(enc, converting_only=converting_only)
    jj, start = np.unique(j, return_index=True)
    if len(jj) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0, np.uint64), np.zeros(0, np.uint64), z, np.zeros(1, np.int64), z
    k1 = np.bitwise_xor.reduceat(h1[e], start)
    k2 = np.bitwise_xor.reduceat(h2[e], start)
    size = np.diff(np.append(start, len(j)))
    uk1, first, inv = np.unique(k1, return_index=True, return_inverse=True)
    if (k2 != k2[first][inv]).any() or (size != size[first][inv]).any():
        raise RuntimeError("two different entity sets share a 64-bit hash; rename an entity")
    sizes = size[first]
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    rep_start = start[first]
    members = e[np.repeat(rep_start - indptr[:-1], sizes) + np.arange(indptr[-1])]
    return jj, inv.astype(np.int64), uk1, k2[first], sizes.astype(np.int64), indptr, members


def _zeta_inplace(arr: np.ndarray, n: int) -> None:
    """Subset-sum transform over the last axis (length 2ⁿ): arr[..., S] ← Σ_{T ⊆ S} arr[..., T]."""
    lead = arr.shape[:-1]
    for bit in range(n):
        v = arr.reshape(*lead, 2 ** (n - 1 - bit), 2, 2**bit)
        v[..., 1, :] += v[..., 0, :]


class ShapleyAttribution:
    """Per-journey Shapley attribution over distinct entities (see the module docstring).

    Parameters (validated here): ``max_exact_entities`` (exact Shapley up to this many distinct
    entities, ≤ 20; default 8), ``n_permutations`` (orderings sampled per larger set),
    ``random_state`` (int seed), ``baseline_rate`` (v(∅), in [0, 1]), ``prior_journeys``
    (shrinkage pseudo-count m ≥ 0), ``max_path_length`` (keep the last N touches).

    Fitted attributes: ``coalitions_`` DataFrame[coalition, n_entities, journeys,
    converting_journeys, conversion_rate] (one row per observed distinct set, entities joined by
    " + "), ``info_``.
    """

    def __init__(self, max_exact_entities: int = 8, n_permutations: int = 200,
                 random_state: int = 0, *, baseline_rate: float = 0.0,
                 prior_journeys: float = 0.0, max_path_length: int | None = None) -> None:
        for name, x, lo in (("max_exact_entities", max_exact_entities, 1),
                            ("n_permutations", n_permutations, 1), ("random_state", random_state, 0)):
            if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < lo:
                raise ValueError(f"{name} must be an integer >= {lo}; found {x!r}")
        if max_exact_entities > _MAX_LATTICE_ENTITIES:
            raise ValueError(f"max_exact_entities must be <= {_MAX_LATTICE_ENTITIES} (2^n subsets "
                             f"per journey); found {max_exact_entities}")
        if not isinstance(baseline_rate, (int, float, np.number)) or not 0 <= baseline_rate <= 1:
            raise ValueError(f"baseline_rate must be a rate in [0, 1]; found {baseline_rate!r}")
        if not isinstance(prior_journeys, (int, float, np.number)) or not (
                np.isfinite(prior_journeys) and prior_journeys >= 0):
            raise ValueError(f"prior_journeys must be a number >= 0; found {prior_journeys!r}")
        self.max_exact_entities = int(max_exact_entities)
        self.n_permutations = int(n_permutations)
        self.random_state = int(random_state)
        self.baseline_rate = float(baseline_rate)
        self.prior_journeys = float(prior_journeys)
        self.max_path_length = max_path_length

    # ------------------------------------------------------------------------------ fitting
    def fit(self, touches: pd.DataFrame, journeys: pd.DataFrame) -> ShapleyAttribution:
        """Count every observed distinct-entity set: journeys and converting journeys.

        Input: ``touches`` [journey_id, position, entity] and ``journeys`` [journey_id,
        converted, journey_count?, …] (see `roi_ml.attribution.journeys`), converting AND
        non-converting. Output: self with ``coalitions_``.
        """
        return self._fit(encode_journeys(touches, journeys, self.max_path_length))

    def _fit(self, enc: EncodedJourneys) -> ShapleyAttribution:
        h1, h2 = entity_hashes(enc.entities)
        jj, inv, k1, k2, sizes, indptr, members = _group_sets(enc, h1, h2, converting_only=False)
        w = enc.weight[jj]
        n_s = np.bincount(inv, weights=w, minlength=len(k1)).astype("float64")
        c_s = np.bincount(inv, weights=w * enc.converted[jj], minlength=len(k1)).astype("float64")
        seen = n_s > 0  # zero-weight journeys count for nothing
        if not seen.all():
            keep = np.flatnonzero(seen)
            members = np.concatenate([members[indptr[i]:indptr[i + 1]] for i in keep]) \
                if len(keep) else members[:0]
            k1, k2, sizes, n_s, c_s = k1[keep], k2[keep], sizes[keep], n_s[keep], c_s[keep]
            indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._vocab = pd.Index(enc.entities, dtype=object)
        self._key_index = pd.Index(k1)
        self._k2, self._size, self._n, self._c = k2, sizes, n_s, c_s
        self._members_indptr, self._members = indptr, members
        self._incidence = sp.csr_array(
            (np.ones(len(members)), members, indptr), shape=(len(k1), len(enc.entities)))
        names = enc.entities[members]
        label = [" + ".join(names[indptr[i]:indptr[i + 1]]) for i in range(len(k1))]
        rate = np.divide(c_s, n_s, out=np.zeros_like(c_s), where=n_s > 0)
        self.coalitions_ = pd.DataFrame({
            "coalition": pd.array(label, dtype="str"), "n_entities": sizes,
            "journeys": n_s, "converting_journeys": c_s, "conversion_rate": rate,
        }).sort_values(["n_entities", "coalition"], ignore_index=True)
        self.info_ = {**enc.info(), "model": "shapley", "n_coalitions": int(len(k1))}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coalitions_"):
            raise RuntimeError("ShapleyAttribution is not fitted: call fit(touches, journeys) first")

    # ------------------------------------------------------------------- value function
    def _lookup(self, keys1: np.ndarray, keys2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, c, n) for coalition hashes; not found → c = n = 0."""
        if len(self._k2) == 0:
            zeros = np.zeros(keys1.shape)
            return zeros.astype(bool), zeros, zeros
        idx = self._key_index.get_indexer(keys1.ravel()).reshape(keys1.shape)
        safe = np.maximum(idx, 0)
        found = (idx >= 0) & (self._k2[safe] == keys2)
        return found, np.where(found, self._c[safe], 0.0), np.where(found, self._n[safe], 0.0)

    def _rate(self, found, c, n, prior):
        m = self.prior_journeys
        denom = np.where(found, n + m, 1.0)
        return np.where(found, (c + m * prior) / denom, prior)

    def _lattice_values(self, h1: np.ndarray, h2: np.ndarray) -> tuple[np.ndarray, int]:
        """v over all 2ⁿ subsets of B sets of n players (hashes B × n): (B × 2ⁿ, n unseen)."""
        b, n = h1.shape
        size = 2**n
        k1 = np.zeros((b, size), dtype=np.uint64)
        k2 = np.zeros((b, size), dtype=np.uint64)
        for bit in range(n):
            for k, h in ((k1, h1), (k2, h2)):
                v = k.reshape(b, 2 ** (n - 1 - bit), 2, 2**bit)
                v[:, :, 1, :] = v[:, :, 0, :] ^ h[:, bit][:, None, None]
        found, c, cnt = self._lookup(k1, k2)
        found[:, 0] = False
        del k1, k2
        pc = np.bitwise_count(np.arange(size, dtype=np.uint64)).astype(np.int64)
        prior = np.full((b, size), np.nan)
        for s in range(n - 1, 0, -1):
            level = pc == s
            arr = np.stack([np.where(level, c, 0.0), np.where(level, cnt, 0.0),
                            np.where(level, found, 0.0)])
            _zeta_inplace(arr, n)
            assign = np.isnan(prior) & (pc > s)[None, :] & (arr[2] > 0)
            prior[assign] = arr[0][assign] / arr[1][assign]
        prior = np.where(np.isnan(prior), self.baseline_rate, prior)
        values = self._rate(found, c, cnt, prior)
        values[:, 0] = self.baseline_rate
        return values, int((~found[:, 1:]).sum())

    def coalition_value(self, entities) -> float:
        """v(S) for a set of entity names, by the rule in the module docstring (≤ 20 entities)."""
        self._check_fitted()
        names = np.array(sorted(set(map(str, entities))), dtype=object)
        if len(names) == 0:
            return self.baseline_rate
        if len(names) > _MAX_LATTICE_ENTITIES:
            raise ValueError(f"coalition_value handles at most {_MAX_LATTICE_ENTITIES} entities")
        h1, h2 = entity_hashes(names)
        values, _ = self._lattice_values(h1[None, :], h2[None, :])
        return float(values[0, -1])

    # ------------------------------------------------------------------------ Shapley values
    def _exact_phi(self, h1: np.ndarray, h2: np.ndarray) -> tuple[np.ndarray, int]:
        b, n = h1.shape
        values, n_unseen = self._lattice_values(h1, h2)
        w = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)] + [0.0])
        pc = np.bitwise_count(np.arange(2**n, dtype=np.uint64)).astype(np.int64)
        wmask = w[pc]
        phi = np.empty((b, n))
        for i in range(n):
            v = values.reshape(b, 2 ** (n - 1 - i), 2, 2**i)
            wv = wmask.reshape(2 ** (n - 1 - i), 2, 2**i)[:, 0, :]
            phi[:, i] = ((v[:, :, 1, :] - v[:, :, 0, :]) * wv).sum(axis=(1, 2))
        return phi, n_unseen

    def _sampled_phi(self, fit_codes: np.ndarray, key: tuple[int, int],
                     subsets: np.ndarray) -> np.ndarray:
        """Permutation-sampled Shapley values of one set (members as fit-vocabulary codes, −1 if
        unseen in fit); ``subsets`` are the ids of observed coalitions contained in the set."""
        n, p = len(fit_codes), self.n_permutations
        seed = [self.random_state, key[0] & 0xFFFFFFFF, key[0] >> 32, key[1] & 0xFFFFFFFF]
        rng = np.random.default_rng(seed)
        perms = rng.permuted(np.tile(np.arange(n), (p, 1)), axis=1)
        rank = np.empty_like(perms)
        rank[np.arange(p)[:, None], perms] = np.arange(n)[None, :]
        k = np.arange(n + 1)
        if len(subsets):
            # entities unseen in fit (code −1) get distinct negative placeholders
            placeholders = np.where(fit_codes >= 0, fit_codes, -1 - np.arange(n))
            local = pd.Index(placeholders).get_indexer(
                np.concatenate([self._members[self._members_indptr[t]:self._members_indptr[t + 1]]
                                for t in subsets]))
            sizes = self._size[subsets]
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            r = np.maximum.reduceat(rank[:, local], offsets, axis=1) + 1  # prefix length holding T
            cells = (n + 1) * (n + 1)
            flat = (np.arange(p)[:, None] * cells + r * (n + 1) + sizes[None, :]).ravel()
            tabs = [np.bincount(flat, weights=np.broadcast_to(x, r.shape).ravel(),
                                minlength=p * cells).reshape(p, n + 1, n + 1).cumsum(axis=1)
                    for x in (self._c[subsets], self._n[subsets], np.ones(len(subsets)))]
            cum_c, cum_n, cum_i = tabs
        else:
            cum_c = cum_n = cum_i = np.zeros((p, n + 1, n + 1))
        exact_c, exact_n = cum_c[:, k, k], cum_n[:, k, k]
        found = cum_i[:, k, k] > 0
        s_idx = np.arange(n + 1)
        valid = (cum_i > 0) & (s_idx[None, None, :] < k[None, :, None]) & (s_idx[None, None, :] >= 1)
        has = valid.any(axis=2)
        smax = n - np.argmax(valid[:, :, ::-1], axis=2)
        pi, ki = np.meshgrid(np.arange(p), k, indexing="ij")
        num, den = cum_c[pi, ki, smax], cum_n[pi, ki, smax]
        prior = np.where(has, num / np.where(has, den, 1.0), self.baseline_rate)
        values = self._rate(found, exact_c, exact_n, prior)
        values[:, 0] = self.baseline_rate
        diff = values[:, 1:] - values[:, :-1]
        return np.bincount(perms.ravel(), weights=diff.ravel(), minlength=n) / p

    def _set_values(self, enc: EncodedJourneys):
        """Shapley values of every distinct set of enc's converting journeys.

        Returns (journeys, set id per journey, set members CSR, φ per member, info).
        """
        h1, h2 = entity_hashes(enc.entities)
        jj, inv, k1, k2, sizes, indptr, members = _group_sets(enc, h1, h2, converting_only=True)
        phi = np.zeros(len(members))
        info = {"n_sets_credited": int(len(k1)), "n_sets_exact": 0, "n_sets_sampled": 0,
                "n_unseen_subsets": 0}
        exact = sizes <= self.max_exact_entities
        for n in np.unique(sizes[exact]):
            ids = np.flatnonzero(sizes == n)
            mem = members[indptr[ids][:, None] + np.arange(n)[None, :]]
            pos = indptr[ids][:, None] + np.arange(n)[None, :]
            chunk = max(1, _LATTICE_CELLS // 2 ** int(n))
            for lo in range(0, len(ids), chunk):
                sl = slice(lo, lo + chunk)
                ph, unseen = self._exact_phi(h1[mem[sl]], h2[mem[sl]])
                phi[pos[sl]] = ph
                info["n_unseen_subsets"] += unseen
            info["n_sets_exact"] += len(ids)
        big = np.flatnonzero(~exact)
        if len(big):
            fit_code = self._vocab.get_indexer(enc.entities)
            contained = self._observed_subsets(fit_code, big, indptr, members)
            for t, subsets in zip(big, contained, strict=True):
                codes = fit_code[members[indptr[t]:indptr[t + 1]]]
                phi[indptr[t]:indptr[t + 1]] = self._sampled_phi(
                    codes, (int(k1[t]), int(k2[t])), subsets)
            info["n_sets_sampled"] = int(len(big))
        return jj, inv, indptr, members, phi, info

    def _observed_subsets(self, fit_code: np.ndarray, sets: np.ndarray, indptr: np.ndarray,
                          members: np.ndarray, block: int = 64) -> list[np.ndarray]:
        """For each set, the ids of observed (fitted) coalitions that are subsets of it."""
        out: list[np.ndarray] = []
        n_vocab = len(self._vocab)
        for lo in range(0, len(sets), block):
            chunk = sets[lo:lo + block]
            rows, cols = [], []
            for i, t in enumerate(chunk):
                codes = fit_code[members[indptr[t]:indptr[t + 1]]]
                codes = codes[codes >= 0]
                rows.append(codes)
                cols.append(np.full(len(codes), i))
            ind = sp.csr_array((np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(n_vocab, len(chunk)))
            overlap = (self._incidence @ ind).tocsc()
            for i in range(len(chunk)):
                sl = slice(overlap.indptr[i], overlap.indptr[i + 1])
                cand, cnt = overlap.indices[sl], overlap.data[sl]
                out.append(np.sort(cand[cnt == self._size[cand]]))
        return out

    # --------------------------------------------------------------------------- allocation
    @staticmethod
    def _shares(indptr: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, dict]:
        set_of = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        pos = np.maximum(phi, 0.0)
        total = np.bincount(set_of, weights=pos, minlength=len(indptr) - 1)
        equal = 1.0 / np.diff(indptr)[set_of]
        share = np.where(total[set_of] > 0, pos / np.where(total[set_of] > 0, total[set_of], 1.0), equal)
        info = {"n_negative_values_clipped": int((phi < 0).sum()),
                "n_sets_split_equally": int((total <= 0).sum())}
        return share, info

    def explain(self, touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Shapley values behind `credit`, one row per (distinct set of a converting journey, entity).

        Output: DataFrame[coalition, entity, shapley_value, credit_share, method] where
        ``credit_share`` is the share of each journey with that set the entity receives and
        ``method`` is "exact" or "sampled".
        """
        self._check_fitted()
        enc = encode_journeys(touches, journeys, self.max_path_length)
        _, _, indptr, members, phi, _ = self._set_values(enc)
        share, _ = self._shares(indptr, phi)
        sizes = np.diff(indptr)
        names = enc.entities[members]
        label = np.repeat([" + ".join(names[indptr[i]:indptr[i + 1]]) for i in range(len(sizes))],
                          sizes)
        method = np.where(np.repeat(sizes, sizes) <= self.max_exact_entities, "exact", "sampled")
        return pd.DataFrame({"coalition": pd.array(label, dtype="str"),
                             "entity": pd.array(names, dtype="str"), "shapley_value": phi,
                             "credit_share": share, "method": pd.array(method, dtype="str")}
                            ).sort_values(["coalition", "entity"], ignore_index=True)

    def credit(self, touches: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Per-journey credit: each converting journey split ∝ max(φ, 0) of its distinct entities.

        Input: the frames of `fit` (usually the same data). Output: DataFrame[journey_id, entity,
        conversions, value] summing per journey to its conversions and value; journeys without
        touches → ``"(none)"``. ``info_`` is updated with the counts of this call.
        """
        return self._credit(encode_journeys(touches, journeys, self.max_path_length))

    def _credit(self, enc: EncodedJourneys) -> pd.DataFrame:
        self._check_fitted()
        jj, inv, indptr, members, phi, info = self._set_values(enc)
        share, share_info = self._shares(indptr, phi)
        sizes = np.diff(indptr)
        n_per_journey = sizes[inv]
        total = int(n_per_journey.sum())
        offsets = np.repeat(indptr[inv] - np.concatenate([[0], np.cumsum(n_per_journey)[:-1]]),
                            n_per_journey) + np.arange(total)
        journey = np.repeat(jj, n_per_journey)
        self.info_ = {**self.info_, **enc.info(), **info, **share_info,
                      "max_exact_entities": self.max_exact_entities,
                      "n_permutations": self.n_permutations}
        log.info("shapley: %d sets (%d exact, %d sampled)", info["n_sets_credited"],
                 info["n_sets_exact"], info["n_sets_sampled"])
        return credit_frame(enc, journey, members[offsets], share[offsets])
