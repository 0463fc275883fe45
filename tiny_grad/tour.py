"""The tour: the whole story, from a gap to a digit classifier, in one command.

    python -m tiny_grad tour [--out DIR] [--lang en|ja] [--fast]

It runs the example scripts of the repository's `examples/` folder in the order of the
story (docs: "The story tiny_grad tells"), prints a short narrative with the numbers
they found, shows a progress line while something trains, and writes every figure
plus one page, `index.html`, that shows them in order with their explanations.

Nothing here is part of the engine: it only runs the examples and writes text. The
examples draw with matplotlib, an optional extra (pip install 'tiny_grad[examples]');
if it is missing the tour says so and stops before doing anything.
"""

import contextlib
import html
import importlib.util
import io
import os
import re
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

from . import viz
from .scalar import Value

INSTALL_HINT = "pip install 'tiny_grad[examples]'"
LANGUAGES = ("en", "ja")

# The examples, by the name of their file in examples/ (without .py).
EXAMPLES = [
    "01_gap_and_losses", "02_dice_and_coins", "03_natural_log", "04_cross_entropy_by_hand",
    "05_softmax_and_logsumexp", "06_learning_rate", "07_learn_the_dice",
    "08_digits_classifier", "09_seeing_gradients",
]


class TourError(RuntimeError):
    """The tour cannot run here (no matplotlib, no examples folder); the message says why."""


# ---- finding and running the examples ------------------------------------------------------

def find_examples(examples_dir=None):
    """The folder holding the example scripts.

    `examples_dir` if given; otherwise $TINY_GRAD_EXAMPLES, then `examples/` next to the
    package (a checkout of the repository, or an editable install of one), then
    `examples/` inside the package (for an installation that ships them there).
    """
    here = Path(__file__).resolve().parent
    if examples_dir is not None:
        candidates = [examples_dir]
    else:
        candidates = [os.environ.get("TINY_GRAD_EXAMPLES"), here.parent / "examples",
                      here / "examples"]
    for folder in candidates:
        if folder and all((Path(folder) / f"{name}.py").is_file()
                          for name in EXAMPLES + ["_common"]):
            return Path(folder).resolve()
    where = f"in {examples_dir}" if examples_dir is not None else "with this installation"
    raise TourError(
        "The tour runs the example scripts of the tiny_grad repository's examples/ folder, "
        f"and there are none {where}.\n"
        "Run it from a checkout of the repository (bash scripts/bootstrap.sh && "
        ".venv/bin/python -m tiny_grad tour), or point TINY_GRAD_EXAMPLES at its examples/ "
        "folder."
    )


def check_matplotlib():
    """Raise TourError with the install command when matplotlib is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        raise TourError("The tour draws its plots with matplotlib, which is not installed.\n"
                        f"Install it with:  {INSTALL_HINT}\n"
                        "(or, in a checkout of the repository: bash scripts/bootstrap.sh)")


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Runner:
    """Loads the examples (with their shared `_common` module) and runs each main() once."""

    def __init__(self, folder, out, fast):
        self.folder, self.out, self.fast = folder, out, fast
        self.results, self.seconds = {}, {}
        self.common = _load(folder / "_common.py", "_common")   # what `from _common` finds

    def run(self, name, say):
        if name in self.results:
            return self.results[name]
        module = _load(self.folder / f"{name}.py", f"tiny_grad_example_{name}")
        argv = ["--out", str(self.out / name)] + (["--fast"] if self.fast else [])
        printed = io.StringIO()
        start = time.perf_counter()
        self.common.LIVE = True                      # progress lines on stderr
        try:
            with contextlib.redirect_stdout(printed):
                result = module.main(argv)
        finally:
            self.common.LIVE = False
        self.seconds[name] = time.perf_counter() - start
        # What the example would have printed on its own, kept for the curious.
        (self.out / name / "output.txt").write_text(printed.getvalue(), encoding="utf-8")
        say(f"   · examples/{name}.py  {self.seconds[name]:.1f} s")
        self.results[name] = result
        return result


# ---- the one small graph (also what `python -m tiny_grad draw` draws) -----------------------

def _small_graph():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(6.5, label="c")
    ab = a * b
    s = ab + c
    L = s.tanh()
    L.label = "L"
    L.backward()
    return a, b, c, ab, s, L


def _n(x):
    return f"{x:.6g}"


def _walk_small_graph(out, lang, say):
    """Forward and backward through L = tanh(a*b + c), in words; draw it to out/L.svg."""
    a, b, c, ab, s, L = _small_graph()
    slope = 1 - L.data ** 2
    ja = lang == "ja"
    say("   " + ("いちばん小さなグラフで、逆伝播を一歩ずつ見てみましょう。" if ja else
                 "First, backward in the smallest graph, one step at a time."))
    say(f"   a = {_n(a.data)}, b = {_n(b.data)}, c = {_n(c.data)}")
    say(f"   a*b = {_n(ab.data)},  a*b + c = {_n(s.data)},  L = tanh(a*b + c) = {_n(L.data)}")
    rows = [
        ("dL/dL", L.grad, "出発点: L は L 自身と同じ速さで動く" if ja else
         "the start: L moves exactly as fast as itself"),
        ("dL/d(a*b + c)", s.grad, f"tanh の傾き 1 - L^2 = {_n(slope)}" if ja else
         f"tanh's slope there: 1 - L^2 = {_n(slope)}"),
        ("dL/dc", c.grad, "'+' は勾配をそのまま渡す" if ja else
         "'+' passes the gradient on unchanged"),
        ("dL/d(a*b)", ab.grad, "'+' のもう一方にも同じだけ" if ja else
         "the same, to the other side of '+'"),
        ("dL/da", a.grad, f"'*' は相手の値 b = {_n(b.data)} を掛ける" if ja else
         f"'*' multiplies by the other factor, b = {_n(b.data)}"),
        ("dL/db", b.grad, f"'*' は相手の値 a = {_n(a.data)} を掛ける" if ja else
         f"'*' multiplies by the other factor, a = {_n(a.data)}"),
    ]
    for name, g, why in rows:
        say(f"     {name + ' = ' + _n(g):<26}  {why}")
    try:
        path = Path(viz.save_graph(viz.draw_graph(L), out / "L.svg"))
        say(f"   {'図' if ja else 'Drawn in'}: {path}")
    except viz.GraphvizNotFoundError as err:
        say(f"   {err}")
        path = None
    return path


# ---- the story, step by step -----------------------------------------------------------------

def _pct(x):
    return f"{x:.1%}"


_TITLES = {
    "en": ["Learning closes a gap (ずれ)", "Small steps, not one big jump",
           "How to measure the gap", "Cross-entropy has five characters",
           "A probability distribution", "Coins make it simpler", "The natural logarithm",
           "Putting it together", "Then learn"],
    "ja": ["学習とは、ずれを縮めること", "一気に直さず、少しずつ", "ずれの測り方",
           "交差エントロピー誤差の五つの部品", "確率分布", "コインなら、もっと単純", "自然対数",
           "組み立てる", "そして学習"],
}


def _titles(lang):
    """The titles of the nine steps of the story."""
    return _TITLES[lang]


def _steps(lang):
    """The nine steps of the story: (examples to run, a function of the results -> text).

    Each text function returns {"text", "figures": [(example or "", file, caption)]}.
    """
    ja = lang == "ja"

    def gap(r):
        g = r["01_gap_and_losses"]
        answer, guess = 172.5, 168.0
        if ja:
            text = (f"モデルが答えを出し、訓練データが正解を持っています。その差が「ずれ」です。"
                    f"身長 {answer} cm の人に、モデルは {guess} cm と答えました。ずれは "
                    f"{g['scalar_gap']:+.1f} cm。五人分をまとめて答えれば、ずれも五つになります"
                    "（それを一つの数にまとめる方法は、ステップ 3 で見ます）。学習とは、このずれが小さくなるように"
                    "モデルのパラメータを調整すること。どちらへどれだけ動かせばよいかを自動で計算するのが"
                    "自動微分で、tiny_grad はその仕組みを手で組み立てています。")
            caps = ["左: 一つの数なら、ずれは引き算一回。右: 五人分の身長では、ずれも五つ。"]
        else:
            text = (f"A model answers, the training data holds the right answer, and the "
                    f"difference is the gap (ずれ). The model said {guess} cm for someone "
                    f"{answer} cm tall: a gap of {g['scalar_gap']:+.1f} cm. Answer for five "
                    "people at once and there are five gaps (step 3 boils them down to one "
                    "number). Learning adjusts the model's parameters until the gap shrinks; "
                    "autodiff works out which way to move each one, and tiny_grad builds that "
                    "machinery by hand.")
            caps = ["Left: for one number, the gap is one subtraction. Right: five heights, "
                    "five gaps."]
        return {"text": text, "figures": [("01_gap_and_losses", "gaps.png", caps[0])]}

    def small_steps(r):
        g = r["06_learning_rate"]
        lrs, final = g["learning_rates"], g["final_loss"]
        steps = len(g["losses"]["too small"])
        last, other = g["full_correction_last_gap"], g["full_correction_other_mean_gap"]
        small = g["small_step_mean_gap"]
        if ja:
            text = ("ずれを一度に全部直してしまえば早そうです。でも、二十個の点を一問ずつ見て、"
                    "そのたびにずれを完全に消す（学習率 1）と、最後の問題だけはぴったり"
                    f"（ずれ {last:.3f}）なのに、ほかの十九問は平均 {other:.2f} もずれてしまいます。"
                    "前の問題で覚えたことを、次の問題が上書きしてしまうのです。学習率 0.05 で少しずつ"
                    f"直せば、どの問題もずれは平均 {small:.2f} に収まります。だから修正は学習率で"
                    f"小さくします。ただし小さすぎると進みが遅く（学習率 {lrs['too small']} で "
                    f"{steps} 回後の損失 {final['too small']:.3f}）、大きすぎると毎回行き過ぎて"
                    f"悪化していきます（学習率 {lrs['too large']} で損失 {final['too large']:.3g}）。"
                    "角砂糖三つで十分甘いコーヒーに「もう少し甘く」と三つ足したら、砂糖水になって"
                    "しまうのと同じです。")
            caps = [f"同じモデルを三つの学習率で。ちょうどよい学習率（{lrs['about right']}）は"
                    "すぐ落ち着き、大きすぎると傾き w が行き過ぎを繰り返して発散します。",
                    "一問ずつ全部直すと（赤）、直線は最後の点を通るだけ。小さな歩幅（緑）なら、"
                    "全体の真ん中を通ります。"]
        else:
            text = ("Why not correct the whole gap at once? Fit a line to twenty points one "
                    "question at a time, closing each gap completely (learning rate 1), and "
                    f"the last question ends up answered exactly (gap {last:.3f}) while the "
                    f"other nineteen are off by {other:.2f} on average: each answer overwrote "
                    "what the earlier ones taught. Small steps of 0.05 leave every question "
                    f"off by only {small:.2f}. So the correction is scaled down by a learning "
                    f"rate. Too small and training crawls (lr {lrs['too small']}: loss "
                    f"{final['too small']:.3f} after {steps} steps); too large and every step "
                    f"overshoots further (lr {lrs['too large']}: loss {final['too large']:.3g}), "
                    "like adding three more sugar cubes to coffee that was sweet with three, "
                    "and getting sugar water.")
            caps = [f"One model, three learning rates. About right ({lrs['about right']}) "
                    "settles in a few steps; too large makes the slope w overshoot, further "
                    "each time.",
                    "Closing each gap fully (red) leaves a line through the last point only; "
                    "small steps (green) find a line through the middle of them all."]
        return {"text": text,
                "figures": [("06_learning_rate", "learning_rates.png", caps[0]),
                            ("06_learning_rate", "twenty_questions.png", caps[1])]}

    def measure(r):
        g = r["01_gap_and_losses"]
        after = g["prob_losses_after"]
        pulls = {k: abs(v[1]) for k, v in after.items()}
        if ja:
            text = ("一つの数なら引き算で十分。いくつもの数をまとめて比べるには、「全体として"
                    "どれだけずれているか」を表す一つの数が要ります。それが損失です（「誤差」と"
                    "「損失」は同じものの二つの呼び名）。平均二乗誤差（MSE）はずれを二乗するので、"
                    f"一人だけ 30 cm 外すと {g['mse_growth']:.1f} 倍に跳ね上がり、平均絶対誤差"
                    f"（MAE）は {g['mae_growth']:.1f} 倍です。交差エントロピー誤差は確率を相手に"
                    "します。正解に 1% しか賭けずに自信満々で外したとき、その確率を引き戻す力"
                    f"（勾配の大きさ）は交差エントロピーで {pulls['CE']:.0f}。MSE の "
                    f"{pulls['MSE']:.3f}、MAE の {pulls['MAE']:.3f} とは桁が違います。")
            caps = ["左: 一つのずれが大きくなると、MSE は二乗で、MAE はまっすぐ増える。"
                    "右: 正解の確率が 0 に近づくと、交差エントロピーだけが天井知らずに上がる。",
                    "左: 30 cm の外れ一つで損失が何倍になるか。右: 自信満々の間違いに対して、"
                    "各損失が正解の確率をどれだけ強く引き戻すか（対数目盛）。"]
        else:
            text = ("For one number a subtraction is enough. For several we need one number "
                    "that says how far off we are overall: the loss (\"error\" and \"loss\" "
                    "are two names for the same idea). Mean squared error squares each gap, "
                    f"so one guess 30 cm off multiplies it by {g['mse_growth']:.1f}, while mean "
                    f"absolute error grows {g['mae_growth']:.1f}-fold. Cross-entropy works on "
                    "probabilities: when the model is sure of a wrong answer (1% on the right "
                    f"one), cross-entropy pulls on that probability with a gradient of "
                    f"{pulls['CE']:.0f}, against {pulls['MSE']:.3f} for MSE and "
                    f"{pulls['MAE']:.3f} for MAE.")
            caps = ["Left: as one gap grows, MSE grows with its square, MAE in a straight "
                    "line. Right: as the right answer's probability heads to 0, only "
                    "cross-entropy has no ceiling.",
                    "Left: how many times larger each loss gets after one guess 30 cm off. "
                    "Right: how hard each loss pulls on the right answer's probability after "
                    "a confident mistake (log scale)."]
        return {"text": text,
                "figures": [("01_gap_and_losses", "loss_curves.png", caps[0]),
                            ("01_gap_and_losses", "loss_growth.png", caps[1])]}

    def five(r):
        g = r["04_cross_entropy_by_hand"]
        if ja:
            text = ("CE = −Σ t·log p は呪文のように見えますが、部品はたった五つ。確率分布 p、"
                    "自然対数 log、訓練データ t、総和 Σ、そしてマイナス記号です。一つひとつは"
                    "単純で、なぜそれがそこにあるかが分かれば、いつ使い、いつ使わないかも分かります。"
                    "一つの例について Value で一つずつ組み立てると "
                    f"{g['value_ce']:.4f}、ライブラリの F.cross_entropy と同じ値です"
                    f"（{g['value_ce_reference']:.4f}）。逆伝播すると、各スコアの勾配は p − t: "
                    "正解のスコアを上げ、ほかを下げる向きになります。")
            caps = ["交差エントロピー誤差を Value で一つずつ組み立てたグラフ。スコア z から"
                    "softmax（exp と割り算）、log、t との積、総和、マイナスまで、すべての箱に"
                    "値と勾配が入っています。"]
        else:
            text = ("CE = −Σ t·log p looks like a spell, but it has five plain pieces: a "
                    "probability distribution p, the natural logarithm, the training data t, a "
                    "sum and a minus sign. Each is simple, and knowing why each is there tells "
                    "you when to use it and when not. Built one Value at a time for a single "
                    f"example, it gives {g['value_ce']:.4f}, the same as F.cross_entropy "
                    f"({g['value_ce_reference']:.4f}). Backward hands each score the gradient "
                    "p − t: raise the right answer's score, lower the others.")
            caps = ["Cross-entropy built from Values, piece by piece: from the scores z "
                    "through softmax (exp and a division), log, the product with t, the sum "
                    "and the minus sign. Every box holds a value and its gradient."]
        return {"text": text,
                "figures": [("04_cross_entropy_by_hand", "ce_values_graph.svg", caps[0])]}

    def distribution(r):
        g = r["02_dice_and_coins"]
        n = g["n_rolls"]
        if ja:
            text = ("サイコロ一つなら、どの目も確率 1/6 ≈ 0.1667。"
                    f"{n:,} 回振った平均は {g['one_die_average']:.4f} で、期待値 3.5 に近づきます。"
                    "二つ振って和を見ると話が変わります。36 通りの出方のうち、和が 2 になるのは "
                    f"1 通りだけ、7 は 6 通り。だから p(4) = 3/36 = {g['p4_exact']:.4f}。実際に"
                    f"振ってみると、4 が出た割合は {g['p4_sampled']:.4f} でした。「2 以外」の確率は "
                    "1 − p(2) = 35/36。形は三角形（三角分布）で、いちばん小さい確率は "
                    "1/36 ≈ 0.028 です。")
            caps = ["サイコロ一つ: 振るほど、平均は期待値 3.5 に落ち着く。",
                    "二つのサイコロの和: 数えて求めた確率（赤）と、実際に振った割合（棒）。"]
        else:
            text = ("One die: every face has probability 1/6 ≈ 0.1667, and the average of "
                    f"{n:,} rolls came out {g['one_die_average']:.4f}, close to the expected "
                    "value 3.5. Two dice are different: of the 36 equally likely ways they can "
                    "land, one gives a sum of 2 and six give 7. So p(4) = 3/36 = "
                    f"{g['p4_exact']:.4f}, and in the sampled rolls 4 came up "
                    f"{g['p4_sampled']:.4f} of the time. Anything but 2 has probability "
                    "1 − p(2) = 35/36. The shape is a triangle, and its smallest probability "
                    "is 1/36 ≈ 0.028.")
            caps = ["One die: the more rolls, the closer their average to the expected "
                    "value 3.5.",
                    "The sum of two dice: the probabilities found by counting (red) and the "
                    "frequencies of real rolls (bars)."]
        return {"text": text,
                "figures": [("02_dice_and_coins", "one_die_average.png", caps[0]),
                            ("02_dice_and_coins", "two_dice.png", caps[1])]}

    def coins(r):
        if ja:
            text = ("サイコロの目は六つ（六進）、コインの面は二つ（二進）。n 枚のコインを投げて"
                    "表の数を数えます。1 枚なら平ら、2 枚なら山形（1, 2, 1）、3 枚と 4 枚でこぶに"
                    "なり（1, 3, 3, 1 と 1, 4, 6, 4, 1）、20 枚では 1,048,576 通りのうち "
                    "184,756 通りが表ちょうど 10 枚。数え上げた形は、もうはっきりと釣鐘型"
                    "（ガウス分布）の曲線です。")
            caps = ["コイン 1, 2, 3, 4, 20 枚の表の数: 数えた確率（青）、実際に投げた割合"
                    "（棒）、20 枚には釣鐘型の曲線（赤い破線）。"]
        else:
            text = ("A coin has two faces (binary) where a die has six. Count the heads among "
                    "n coins: one coin is flat, two make a tent (1, 2, 1), three and four a "
                    "hump (1, 3, 3, 1 and 1, 4, 6, 4, 1). Twenty coins have 1,048,576 patterns, "
                    "184,756 of them with exactly 10 heads, and the counts trace the "
                    "bell-shaped (Gaussian) curve.")
            caps = ["Heads among 1, 2, 3, 4 and 20 coins: exact probabilities (blue), real "
                    "flips (bars), and for 20 coins the bell curve (red dashes)."]
        return {"text": text, "figures": [("02_dice_and_coins", "coins.png", caps[0])]}

    def natural_log(r):
        g = r["03_natural_log"]
        if ja:
            text = ("確率が住んでいるのは (0, 1] の範囲。ここで自然対数 log は、1 のとき 0 で、"
                    f"0 に近づくほど底なしに下がっていきます。log(1/36) = {g['log_1_36']:.4f}。"
                    "傾きは 1/p なので、正解の確率が小さいほど急になり、自信満々の間違いは"
                    "厳しく罰せられます。log 0 は存在しません（tiny_grad は −inf と答えます）。"
                    "そこで実際には、確率に 1e-8 のような小さな下限 eps を設けます。すると最悪でも "
                    f"−∞ ではなく {g['log_eps']:.2f} で止まります。符号を反転した −log p は"
                    f"「驚き」。確実なことには 0、36 回に 1 回のことには "
                    f"{g['surprises'][1]:.2f} です。")
            caps = ["(0, 1] の自然対数。赤い点は二つのサイコロの確率 1/36 … 6/36。",
                    "驚き −log p（横軸は対数目盛）。下限 eps = 1e-8 を設けると、天井が "
                    f"{-g['log_eps']:.1f} になる。"]
        else:
            text = ("Probabilities live in (0, 1], and there the natural log runs from 0 at 1 "
                    f"down without a bottom towards 0: log(1/36) = {g['log_1_36']:.4f}. Its "
                    "slope is 1/p, so the rarer the right answer, the steeper the cost: "
                    "confident wrong answers are punished hard. log 0 does not exist (tiny_grad "
                    "answers −inf), so in practice probabilities are kept above a tiny eps; "
                    f"with eps = 1e-8 the worst case is {g['log_eps']:.2f} instead of −∞. "
                    "Flip the sign and −log p reads as surprise: 0 for a sure thing, "
                    f"{g['surprises'][1]:.2f} for a 1-in-36 event.")
            caps = ["The natural log on (0, 1]; the red dots are the two-dice probabilities "
                    "1/36 … 6/36.",
                    "Surprise, −log p (log-scale x axis). With the floor eps = 1e-8 it never "
                    f"goes above {-g['log_eps']:.1f}."]
        return {"text": text,
                "figures": [("03_natural_log", "log_curve.png", caps[0]),
                            ("03_natural_log", "surprise.png", caps[1])]}

    def together(r):
        g4, g5 = r["04_cross_entropy_by_hand"], r["05_softmax_and_logsumexp"]
        stable = ", ".join(f"{x:.4f}" for x in g5["stable_values"])
        if ja:
            text = ("交差エントロピー誤差は、部品を順に並べたものです。softmax が生のスコアを"
                    "確率分布 p に変え、one-hot の正解 t が正しいクラスを選び、log p がモデルの"
                    "驚きを測り、総和がクラスと例について足し合わせ、マイナス記号が小さくすべき"
                    "正のずれに変えます。四つの例のバッチで、手作りの版も F.cross_entropy も "
                    f"{g4['tensor_ce_hand']:.6f} になりました。注意点が一つ。e^1000 は浮動小数点数"
                    "からあふれるので、スコアが 1000 前後だと素朴な log(softmax) は NaN になります。"
                    "log-sum-exp の形は先にいちばん大きなスコアを引いておくので、有限のままです"
                    f"（{stable}）。")
            caps = ["同じ五つの部品を Tensor で、四つの例のバッチに。",
                    "スコアを c 倍していくと、素朴な式は c ≈ "
                    f"{g5['naive_breaks_at_scale']:.0f} から壊れる（赤い帯）。安定な式は壊れない。",
                    "素朴な式のグラフ: e^1000 = inf、inf / inf = NaN。勾配まで NaN になる。",
                    "log-sum-exp のグラフ: 最大値 m を引くので指数はすべて 0 以下。m に届く勾配は"
                    "打ち消し合って 0 になる。"]
        else:
            text = ("Cross-entropy puts the pieces in a row: softmax turns raw scores into a "
                    "distribution p, the one-hot answer t picks the right class, log p says how "
                    "surprised the model is, the sum adds it up over classes and examples, and "
                    "the minus sign makes it a positive gap to shrink. On a batch of four, the "
                    f"hand-built version and F.cross_entropy both give "
                    f"{g4['tensor_ce_hand']:.6f}. One caution: e^1000 overflows a float, so the "
                    "naive log(softmax) of scores around 1000 is NaN; the log-sum-exp form "
                    f"subtracts the largest score first and stays finite ({stable}).")
            caps = ["The same five pieces with Tensors, for a batch of four examples.",
                    "Scores scaled by c: the naive formula breaks from c ≈ "
                    f"{g5['naive_breaks_at_scale']:.0f} on (red band); the stable one never does.",
                    "The naive graph: e^1000 = inf, inf / inf = NaN, and the gradients are NaN "
                    "too.",
                    "The log-sum-exp graph: subtracting the largest score m keeps every "
                    "exponent ≤ 0; the gradients reaching m cancel out to 0."]
        return {"text": text,
                "figures": [("04_cross_entropy_by_hand", "ce_tensor_graph.svg", caps[0]),
                            ("05_softmax_and_logsumexp", "naive_vs_stable.png", caps[1]),
                            ("05_softmax_and_logsumexp", "naive_graph.svg", caps[2]),
                            ("05_softmax_and_logsumexp", "logsumexp_graph.svg", caps[3])]}

    def learn(r):
        g7, g8 = r["07_learn_the_dice"], r["08_digits_classifier"]
        n_rolls = g7["n_rolls"]
        if ja:
            text = ("逆伝播は各パラメータに、ずれへの「責任の取り分」である勾配を渡します。SGD は"
                    "その逆向きに小さく一歩進みます。あとは繰り返すだけです。11 個の自由なスコアを "
                    f"{n_rolls:,} 回分の出目と交差エントロピー誤差で学習させると、サイコロの三角形が"
                    f"よみがえります。学習した確率は、どれも k/36 から {g7['max_error']:.4f} 以内。"
                    "同じやり方で、隠れ層 64 ユニットの MLP を手書き数字で "
                    f"{g8['epochs']} エポック学習させると、見たことのないテスト用の数字の "
                    f"{_pct(g8['test_accuracy'])} を読み当てます。最後に、二つのエンジンの計算"
                    "グラフを勾配の大きさで色分けし、逆伝播がノードをたどる順番を見ます。")
            caps = {"L.svg": "L = tanh(a·b + c): すべての値と勾配が入った、いちばん小さなグラフ。",
                    "learned_vs_exact.png": "出目から学習した確率（オレンジ）、出目の中の割合"
                    "（水色）、数えて求めた k/36（赤）。",
                    "training_loss.png": "学習中の交差エントロピー誤差。二つのサイコロの"
                    "エントロピーまで下がり、そこで止まる。サイコロのランダムさそのものは消せない。",
                    "digits_sample.png": "8×8 ピクセルの手書き数字の例。",
                    "training_progress.png": "エポックごとの損失と正解率（訓練用とテスト用）。",
                    "confusion_matrix.png": "混同行列: 行が正解、列がモデルの答え。対角線が正解。",
                    "misclassified.png": "間違えたテスト用の数字と、そのときの確信度。",
                    "value_graph.svg": "ニューロン一つ（Value）の計算グラフ。",
                    "value_graph_by_grad.svg": "同じグラフを勾配の大きさで色分け。濃いほど、"
                    "損失がその値に敏感。",
                    "backward_order.svg": "逆伝播が訪れる順番。どのノードも、それを使うノードが"
                    "すべて済んでから。",
                    "tensor_graph.svg": "小さなネットワーク（Tensor）の計算グラフ。パラメータには"
                    "名前がつく。",
                    "tensor_graph_by_grad.svg": "同じグラフを平均 |勾配| で色分け。"}
        else:
            text = ("Backward gives each parameter its share of the gap, the gradient; SGD "
                    "takes a small step against it; repeat. Eleven free scores trained with "
                    f"cross-entropy on {n_rolls:,} rolls recover the dice's triangle: every "
                    f"learned probability is within {g7['max_error']:.4f} of k/36. An MLP with "
                    f"64 hidden units, trained the same way on handwritten digits for "
                    f"{g8['epochs']} epochs, reads {_pct(g8['test_accuracy'])} of the test digits "
                    "it has never seen. Last, the graphs of both engines, coloured by gradient, "
                    "and the order in which backward visits their nodes.")
            caps = {"L.svg": "L = tanh(a·b + c), the smallest graph, with every value and "
                    "gradient.",
                    "learned_vs_exact.png": "Probabilities learned from rolls (orange), the "
                    "frequencies in those rolls (light blue), and the exact k/36 (red).",
                    "training_loss.png": "Cross-entropy during training: it falls to the "
                    "entropy of two dice and stays there; the dice's own randomness cannot be "
                    "learned away.",
                    "digits_sample.png": "Some of the 8×8 handwritten digits.",
                    "training_progress.png": "Loss and accuracy per epoch, on the training "
                    "and the test digits.",
                    "confusion_matrix.png": "The confusion matrix: rows are the true digit, "
                    "columns the model's answer; the diagonal is right.",
                    "misclassified.png": "Test digits it got wrong, and how sure it was.",
                    "value_graph.svg": "One neuron, built from Values.",
                    "value_graph_by_grad.svg": "The same graph coloured by the size of each "
                    "gradient: the darker, the more the loss cares about that value.",
                    "backward_order.svg": "The order backward visits the nodes: each one after "
                    "every node that uses it.",
                    "tensor_graph.svg": "A small network built from Tensors; parameters "
                    "carry their names.",
                    "tensor_graph_by_grad.svg": "The same graph coloured by mean |gradient|."}
        figures = [("", "L.svg", caps["L.svg"])]
        for name, files in (("07_learn_the_dice", ["learned_vs_exact.png", "training_loss.png"]),
                            ("08_digits_classifier", ["digits_sample.png",
                                                      "training_progress.png",
                                                      "confusion_matrix.png",
                                                      "misclassified.png"]),
                            ("09_seeing_gradients", ["value_graph.svg",
                                                     "value_graph_by_grad.svg",
                                                     "backward_order.svg", "tensor_graph.svg",
                                                     "tensor_graph_by_grad.svg"])):
            figures += [(name, f, caps[f]) for f in files]
        return {"text": text,
                "figures": figures}

    steps = [
        (["01_gap_and_losses"], gap),
        (["06_learning_rate"], small_steps),
        ([], measure),
        (["04_cross_entropy_by_hand"], five),
        (["02_dice_and_coins"], distribution),
        ([], coins),
        (["03_natural_log"], natural_log),
        (["05_softmax_and_logsumexp"], together),
        (["small graph", "07_learn_the_dice", "08_digits_classifier", "09_seeing_gradients"],
         learn),
    ]
    return steps


# ---- the page ----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP",
       "Yu Gothic", sans-serif; max-width: 1000px; margin: 0 auto; padding: 1.5em;
       line-height: 1.65; color: #222; background: #fcfcfa; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { margin-top: 2.2em; border-bottom: 2px solid #e6550d; padding-bottom: 0.2em; }
.sub { color: #555; margin-top: 0; }
nav ol { columns: 2; }
figure { margin: 1.4em 0; padding: 0.8em; background: white; border: 1px solid #ddd;
         border-radius: 6px; }
figure img { display: block; max-width: 100%; max-height: 720px; margin: 0 auto; }
.graph { overflow-y: auto; max-height: 720px; }
.graph img { max-height: none; }
figcaption { font-size: 0.92em; color: #444; margin-top: 0.5em; }
figcaption .file { font-family: ui-monospace, monospace; font-size: 0.85em; color: #888; }
.examples { font-size: 0.9em; color: #555; }
code { background: #f0f0ec; padding: 0.05em 0.3em; border-radius: 3px; }
footer { margin-top: 3em; font-size: 0.85em; color: #777; border-top: 1px solid #ddd; }
"""


def _html_page(lang, sections, extra_links, seconds, fast):
    ja = lang == "ja"
    e = html.escape
    title = ("tiny_grad ツアー: ずれから手書き数字まで" if ja else
             "The tiny_grad tour: from a gap to handwritten digits")
    intro = ("交差エントロピー誤差を五つの部品から組み立て、自動微分と SGD で学習させるまでの道のりを、"
             "九つのステップで図と一緒にたどります。図はすべて、このページと同じフォルダにある"
             "例題スクリプトの出力です。" if ja else
             "Nine steps from the gap between an answer and the truth to a classifier of "
             "handwritten digits: cross-entropy built from its five pieces, then autodiff and "
             "SGD. Every picture was made by the example scripts, and sits in the folders next "
             "to this page.")
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
             f"<h1>{e(title)}</h1>\n<p class=\"sub\">{e(intro)}</p>\n<nav><ol>\n"]
    for i, s in enumerate(sections, start=1):
        parts.append(f'<li><a href="#step{i}">{e(s["title"])}</a></li>\n')
    parts.append("</ol></nav>\n")
    for i, s in enumerate(sections, start=1):
        parts.append(f'<section id="step{i}">\n<h2>{i}. {e(s["title"])}</h2>\n'
                     f'<p>{e(s["text"])}</p>\n')
        for src, caption in s["figures"]:
            # A graph drawing (SVG) that is taller than the page keeps its width and scrolls
            # in its box, instead of shrinking to an unreadable sliver. Click for full size.
            box = ' class="graph"' if src.endswith(".svg") else ""
            parts.append(f'<figure><div{box}><a href="{e(src)}"><img src="{e(src)}" '
                         f'alt="{e(caption)}" loading="lazy"></a></div>\n'
                         f'<figcaption>{e(caption)} <span class="file">{e(src)}</span>'
                         '</figcaption></figure>\n')
        links = extra_links.get(i, [])
        if links:
            parts.append('<p class="examples">' + " · ".join(
                f'<a href="{e(href)}">{e(text)}</a>' for href, text in links) + "</p>\n")
        parts.append("</section>\n")
    mode = (" (--fast: 小さめのサイズで実行)" if ja else " (--fast: smaller sizes)") if fast else ""
    made = (f"python -m tiny_grad tour --lang ja で作成、所要 {seconds:.0f} 秒{mode}。"
            if ja else f"Made by python -m tiny_grad tour in {seconds:.0f} s{mode}.")
    parts.append(f"<footer><p>{e(made)}</p></footer>\n</body>\n</html>\n")
    return "".join(parts)


# ---- the tour ------------------------------------------------------------------------------------

def run_tour(out_dir="tiny_grad_tour", lang="en", fast=False, examples_dir=None, stream=None):
    """Run the story end to end; write the figures and index.html into out_dir.

    lang: "en" or "ja" for the narrative and the page. fast: smaller sizes (for tests).
    stream: where the narrative goes (default sys.stdout). Returns the path of index.html.
    Raises TourError when matplotlib or the examples folder is missing.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    stream = stream or sys.stdout
    check_matplotlib()
    folder = find_examples(examples_dir)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ja = lang == "ja"

    def say(text="", end="\n"):
        print(text, end=end, file=stream, flush=True)

    start = time.perf_counter()
    say("tiny_grad ツアー: ずれから手書き数字まで" if ja else
        "The tiny_grad tour: from a gap to handwritten digits")
    say((f"図とページの出力先: {out}" if ja else f"Figures and the page go to {out}") +
        (" (--fast)" if fast else ""))

    added_path = str(folder)
    sys.path.insert(0, added_path)   # the examples import their shared `_common` module
    previous_common = sys.modules.get("_common")
    try:
        runner = _Runner(folder, out, fast)
        steps = _steps(lang)
        sections, extra_links = [], {}
        for number, (needs, write) in enumerate(steps, start=1):
            results_needed = [n for n in needs if n != "small graph"]
            say()
            say(f"{number}. {_titles(lang)[number - 1]}")
            if "small graph" in needs:
                _walk_small_graph(out, lang, say)
            for name in results_needed:   # run first: the words quote the examples' numbers
                runner.run(name, say)
            section = write(runner.results)
            section["title"] = _titles(lang)[number - 1]
            for line in _wrap(section["text"], ja):
                say("   " + line)
            figures = []
            for example, filename, caption in section["figures"]:
                rel = f"{example}/{filename}" if example else filename
                if (out / rel).is_file():
                    figures.append((rel, caption))
            section["figures"] = figures
            sections.append(section)
            links = []
            for name in results_needed:
                for page in runner.results[name].get("pages", []):
                    rel = Path(page).resolve().relative_to(out).as_posix()
                    label = (f"逆伝播を一歩ずつ: {Path(page).name}" if ja else
                             f"step through backward: {Path(page).name}")
                    links.append((rel, label))
                links.append((f"{name}/output.txt",
                              (f"examples/{name}.py の出力" if ja else
                               f"what examples/{name}.py printed")))
            extra_links[number] = links
        # Anything an example drew that no step mentions is still shown, in the step that
        # ran that example.
        shown = {rel for section in sections for rel, _ in section["figures"]}
        for number, (needs, _) in enumerate(steps, start=1):
            for name in needs:
                for path in runner.results.get(name, {}).get("figures", []):
                    rel = Path(path).resolve().relative_to(out).as_posix()
                    if rel not in shown:
                        sections[number - 1]["figures"].append((rel, Path(path).name))
                        shown.add(rel)
    finally:
        if added_path in sys.path:
            sys.path.remove(added_path)
        if previous_common is not None:
            sys.modules["_common"] = previous_common
        else:
            sys.modules.pop("_common", None)

    seconds = time.perf_counter() - start
    index = out / "index.html"
    index.write_text(_html_page(lang, sections, extra_links, seconds, fast), encoding="utf-8")
    say()
    if ja:
        say(f"完了（{seconds:.1f} 秒）。ブラウザで開いてください: {index}")
    else:
        say(f"Done in {seconds:.1f} s. Open this page in a browser: {index}")
    return index


def _wrap(text, ja, width=88):
    """Break a paragraph into terminal lines of at most `width` columns.

    Japanese has no spaces, so it is cut after 。 and 、, and at a space before a number or a
    word in Latin letters, counting a full-width character as two columns; a line never starts
    with punctuation, and a number keeps its counter ("4 枚" is never cut).
    """
    if not ja:
        return textwrap.wrap(text, width)
    chunks = re.findall(r"(?:[^。、 ]| (?![!-~]))*(?:[。、]| (?=[!-~]))?", text)
    lines, line = [], ""
    for chunk in filter(None, chunks):
        if line and _columns(line + chunk.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += chunk
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _columns(text):
    """Terminal columns taken by `text`: full-width (East Asian) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
