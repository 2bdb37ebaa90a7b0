"""The whole filter against the database: it learns from decisions and judges new comments.

The labelled comments below were written for this test. A few of each class are held out
of training and must still be classified correctly.
"""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from yamabiko.discussion.spam import Policy, Submission, spam_assess, spam_train, tokenize

SPAM_TRAINING = [
    "Buy cheap viagra online without prescription! Fast discreet shipping worldwide: "
    "https://pills-discount.example/viagra",
    "Best online casino bonus 2025: 200 free spins for new players, no deposit needed. "
    "Play now at http://lucky-spins.example",
    "Hello webmaster, I visited your site and noticed it is not ranking on the first page of "
    "Google. Our SEO team can boost your traffic with high quality backlinks. Reply for a "
    "free audit: https://rankboost.example",
    "Invest in Bitcoin today and double your crypto in 7 days!!! Guaranteed profit, join our "
    "trading signals group https://coinmoon.example/join",
    "Luxury replica watches, Rolex and Omega copies at 90% off. Swiss quality, free "
    "shipping: http://replica-time.example",
    "Great post! Check out cheap cialis and viagra pills at our online pharmacy "
    "https://rx-express.example no prescription needed",
    "Win big with the casino jackpot slots, poker and roulette. Claim your welcome bonus "
    "http://jackpot-palace.example/bonus",
    "We offer guest posting and link building services. Increase your domain authority and "
    "Google ranking fast. Cheap SEO packages: https://linkfarm.example",
    "Earn passive income with crypto mining! Deposit USDT and get 5% daily profit. Limited "
    "offer https://hashprofit.example",
    "Replica handbags and replica watches wholesale, best quality fake Rolex, buy now "
    "http://fake-lux.example/watches",
    "オンラインカジノで今すぐ稼げる！登録ボーナス無料、入金不要。詳しくはこちら "
    "https://casino-jp.example",
    "バイアグラを格安で通販。処方箋不要、即日発送 http://kusuri-yasui.example",
    "온라인 카지노 최고 보너스! 지금 가입하면 무료 스핀 지급 https://casino-kr.example",
    "비트코인 투자로 매일 수익 보장! 지금 바로 가입하세요 http://coin-kr.example",
    "Hi, I am an SEO expert. Your website has many errors and low traffic. I can get you on "
    "the first page of Google. Reply for a free quote. https://seo-magic.example",
    "Order tramadol, xanax and viagra pills online from a trusted pharmacy. Discount codes: "
    "http://meds4less.example",
    "Crypto trading bot makes profit 24/7, guaranteed returns, invest in bitcoin and "
    "ethereum now https://autotrade.example",
    "Nice article. Visit my casino site for free spins and bonus cash: http://spin-city.example",
    "Best replica Omega and Rolex watches online. Buy cheap luxury watches with free "
    "shipping https://watch-copy.example",
    "Boost your Google ranking with 10000 backlinks for only $49. Best SEO service, "
    "guaranteed first page: http://backlinks-cheap.example",
    "激安ブランド時計のコピー、ロレックス偽物の専門店。送料無料 https://kopi-tokei.example",
    "仮想通貨で毎日利益！ビットコイン投資の無料セミナーに登録 http://coin-jp.example",
]

SPAM_HELD_OUT = [
    "Cheap viagra and cialis from an online pharmacy with discount, buy pills now "
    "http://pharma-best.example",
    "Free bonus at the best online casino: slots, blackjack, jackpot. Sign up now "
    "https://royal-bet.example",
    "Double your bitcoin! Send crypto to our wallet and get guaranteed profit back in 24 "
    "hours https://btc-double.example",
    "Dear site owner, we can improve your website SEO and bring more traffic with quality "
    "backlinks. Free audit: http://webrank.example",
    "Replica watches sale: Rolex, Omega, Cartier copies, buy online with free shipping "
    "http://replicas.example",
    "バカラ、スロット、オンラインカジノのボーナス情報はこちら。無料登録 http://bonus-jp.example",
    "카지노 가입 보너스 지급! 지금 무료로 시작하세요 https://bet-kr.example",
]

HAM_TRAINING = [
    "I walked the same ridge trail last autumn and the view over the valley was just as you "
    "describe. Thanks for the photos.",
    "The part about shouting across the gorge and hearing your voice come back twice made "
    "me smile. Was the second echo from the far cliff?",
    "I tried your miso soup recipe tonight with a little more ginger. My kids asked for seconds.",
    "Small tools like this are the best kind of software. I installed it on my old laptop "
    "and it runs fine.",
    "Do you have a map of the walking route? I would like to try it with my dog next weekend.",
    "My grandmother used to call the mountain echo yamabiko. Lovely to see the word in a "
    "blog name.",
    "How long did you simmer the broth? Mine turned out a bit thin.",
    "Thanks for the release notes. The new export option saved me an afternoon of copying "
    "posts by hand.",
    "There is a valley near my town where the echo repeats three times when the air is "
    "still. Sound carries so well in the cold.",
    "I substituted brown rice and it still worked, though it needed ten more minutes in the pot.",
    "Found a small bug: the search box ignores accented letters. Should I open an issue on "
    "the tracker?",
    "朝の散歩は気持ちいいですね。私も川沿いの道をよく歩きます。",
    "山で声を出すと山彦が返ってくるのが子供の頃から好きでした。",
    "このレシピで味噌汁を作ってみました。生姜を入れるとおいしいです。",
    "산책 코스 사진이 정말 예쁘네요. 다음 주말에 가족과 함께 걸어 보고 싶어요.",
    "The trail section after the bridge is muddy in spring, so good boots help. Enjoyed "
    "reading about your walk.",
    "I baked the bread from your recipe and the crust came out perfect. Next time I will "
    "add a little more salt.",
    "Nice little program. Does it work on a Raspberry Pi? I would like to run it at home.",
    "We walked that coastal path in the rain and still loved it. The cliffs were beautiful.",
    "I read your post about the echo in the old railway tunnel. Did you record the sound?",
    "What kind of pan do you use for the omelette? Mine always sticks.",
    "메아리 이야기가 재미있었어요. 어릴 때 산에서 소리를 지르던 기억이 나네요.",
    "I wrote up a similar walk on my own blog, with photos of the valley: "
    "https://aiko-walks.example/ridge",
    "The library you used for the echo simulation is documented at "
    "https://docs.example/sound, in case anyone wants to try it.",
]

HAM_HELD_OUT = [
    "Walking every morning changed my sleep too. I start before breakfast and follow the "
    "river path for an hour.",
    "Your post about echoes reminded me of a physics lesson on how sound reflects from the "
    "walls of a valley.",
    "The recipe was easy to follow and the soup tasted great with fresh ginger.",
    "I upgraded the software this morning and it runs fine on my laptop. Thank you for the "
    "small tool.",
    "長い散歩のあとに温かい味噌汁を飲むのは最高ですね。",
    "I love walking the hills at dawn, when the valley is quiet and the trail is empty.",
    "Lovely photos of the river. My own notes from the same walk are at "
    "https://trail-notes.example/autumn",
    "주말에 가족과 함께 산책했어요. 산에서 메아리도 들었어요.",
]

POLICY = Policy(max_links=2)


def train_corpus() -> None:
    for text in SPAM_TRAINING:
        spam_train(text=text, as_spam=True)
    for text in HAM_TRAINING:
        spam_train(text=text, as_spam=False)


def test_labelled_set_is_large_and_held_out_texts_are_unseen() -> None:
    assert len(SPAM_TRAINING) + len(SPAM_HELD_OUT) >= 25
    assert len(HAM_TRAINING) + len(HAM_HELD_OUT) >= 25
    assert len(SPAM_HELD_OUT) >= 5
    assert len(HAM_HELD_OUT) >= 5
    assert not set(SPAM_HELD_OUT + HAM_HELD_OUT) & set(SPAM_TRAINING + HAM_TRAINING)


@pytest.mark.django_db
@pytest.mark.parametrize("text", SPAM_HELD_OUT)
def test_unseen_spam_scores_at_least_the_hold_threshold(text: str) -> None:
    train_corpus()

    verdict = spam_assess(Submission(body=text), policy=POLICY)

    assert verdict.score >= 0.7, verdict.reasons
    assert verdict.spam or verdict.hold


@pytest.mark.django_db
@pytest.mark.parametrize("text", HAM_HELD_OUT)
def test_unseen_ham_scores_below_one_half(text: str) -> None:
    train_corpus()

    verdict = spam_assess(Submission(body=text), policy=POLICY)

    assert verdict.score < 0.5, verdict.reasons
    assert not verdict.spam
    assert not verdict.hold


@pytest.mark.django_db
def test_untrained_filter_says_so_and_decides_nothing() -> None:
    verdict = spam_assess(Submission(body="Buy cheap viagra"), policy=POLICY)

    assert not verdict.spam
    assert not verdict.hold
    assert verdict.score == 0.5
    assert verdict.reasons == (
        "classifier: untrained (0 spam and 0 ham decisions so far; 5 of each needed)",
    )


@pytest.mark.django_db
def test_clear_spam_is_rejected_and_the_reason_names_its_words() -> None:
    train_corpus()

    body = "Cheap viagra pills online, casino bonus and free spins"

    verdict = spam_assess(Submission(body=body), policy=POLICY)

    assert verdict.spam
    assert verdict.score >= 0.9
    shown, _, named = verdict.reasons[-1].partition(" spam (")
    assert shown.startswith("classifier: 0.9")
    assert set(named.rstrip(", …)").split(", ")) <= set(tokenize(body))


@pytest.mark.django_db
def test_author_fields_are_part_of_what_the_classifier_reads() -> None:
    train_corpus()
    bland = "Thanks, interesting."

    plain = spam_assess(Submission(body=bland), policy=POLICY)
    dressed = spam_assess(
        Submission(body=bland, author_name="Cheap Viagra Pills", author_url="http://x.example"),
        policy=POLICY,
    )

    assert dressed.score > plain.score


@pytest.mark.django_db
def test_hard_rules_reject_and_every_reason_is_collected() -> None:
    train_corpus()
    policy = Policy(
        max_links=1,
        blocked_words=("casino",),
        blocked_domains=("spam.example",),
        blocked_ips=("203.0.113.0/24",),
    )

    verdict = spam_assess(
        Submission(
            body="A lovely walk by the river. http://spam.example http://b.example casino",
            ip_address="203.0.113.5",
            honeypot="filled",
            form_age_seconds=0.5,
            is_duplicate=True,
        ),
        policy=policy,
    )

    assert verdict.spam
    assert not verdict.hold
    assert verdict.score == 1.0
    assert verdict.reasons[:-1] == (
        "honeypot field filled",
        "form sent 0.5 s after it was shown (less than 2 s)",
        "same text as a recent submission",
        "IP address 203.0.113.5 is blocked (203.0.113.0/24)",
        "blocked domain: spam.example",
        'blocked word: "casino"',
        "2 links (more than 1)",
    )
    assert verdict.reasons[-1].startswith("classifier: ")


@pytest.mark.django_db
def test_too_many_links_in_an_honest_comment_holds_it() -> None:
    train_corpus()
    body = (
        "I walked the trail too; the echo in the valley is best from the bridge. Maps: "
        "http://a.example/1 http://a.example/2 http://a.example/3"
    )

    verdict = spam_assess(Submission(body=body, form_age_seconds=60.0), policy=POLICY)

    assert not verdict.spam
    assert verdict.hold
    assert verdict.score < 0.5
    assert verdict.reasons[0] == "3 links (more than 2)"


@pytest.mark.django_db
def test_assessing_takes_two_queries_once_trained(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    train_corpus()

    with django_assert_num_queries(2):
        spam_assess(Submission(body=SPAM_HELD_OUT[0]), policy=POLICY)


@pytest.mark.django_db
def test_assessing_takes_one_query_while_untrained(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        spam_assess(Submission(body=SPAM_HELD_OUT[0]), policy=POLICY)
