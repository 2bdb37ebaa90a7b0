"""A deterministic synthetic blog: about 500 words a post, English, Japanese and Korean.

Word frequencies follow a rough Zipf curve, with a few words planted at known rates so
each query class of the benchmark has a stable number of matches:

    the          in nearly every English post (a stop word: the worst case)
    mountain     in about 40% of English posts (an ordinary topic word)
    zephyrine    in about 1 post in 2,000 (rare)
    "mountain hut"  a phrase in about 5% of posts
    北朝鮮 / 비핵화  in about 3% of Japanese / Korean posts, often with Rubio
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = words(
    "the of and to a in was it i on with we for at by from that this but not as be had "
    "were they there after before over under into out up down then when while all some"
)
TOPIC_WORDS = words(
    "mountain walk river stone path valley forest ridge summit trail bridge village station train "
    "weather rain snow wind cloud morning evening night spring summer autumn winter soup "
    "bread rice noodle kitchen recipe onion garlic ginger broth kettle code program python "
    "server database query index error test release bug fix feature editor terminal book "
    "library letter friend family garden flower tree leaf bird heron egret fox deer bear "
    "echo sound voice silence shrine temple market festival lantern harbour boat island "
    "sea coast beach wave map compass boots rope camp tent fire stove tea coffee"
)
SYLLABLES = words("ka ri to mo se na lu ve dor an el is ur pa qu ex om ti ba ne ro gi fa")

JAPANESE_WORDS = words(
    "山 川 海 空 雨 雪 風 花 木 森 道 町 駅 電車 天気 散歩 料理 味噌汁 温泉 旅行 写真 朝 夜 "
    "今日 明日 昨日 友達 家族 仕事 会議 政治 経済 選挙 首相 外交 韓国 中国 日本 米国 首脳 "
    "会談 問題 山びこ 響き 声 谷 峠 小屋 登山 頂上 景色 紅葉 桜 季節 東京 京都 大阪 図書館 "
    "本 手紙 庭 鳥 狐 鹿 神社 お寺 市場 祭り 提灯 港 船 島 地図 珈琲 お茶 パン ラーメン"
)
JAPANESE_PARTICLES = words("の は が を に で と も から まで へ や")
JAPANESE_ENDINGS = words("ました。 です。 でした。 ている。 だった。 と思う。")

KOREAN_WORDS = words(
    "산 강 바다 하늘 비 눈 바람 꽃 나무 숲 길 마을 역 날씨 산책 요리 된장찌개 온천 여행 "
    "사진 아침 저녁 오늘 내일 어제 친구 가족 회의 정치 경제 선거 대통령 외교 북한 한국 "
    "중국 일본 미국 정상 회담 문제 메아리 소리 계곡 고개 산장 등산 정상 경치 단풍 벚꽃"
)
KOREAN_PARTICLES = words("은 는 이 가 을 를 에 에서 와 도 의")
KOREAN_ENDINGS = words("했다. 이다. 있었다. 갔다. 좋았다.")

CATEGORIES = (
    ("Travel", None),
    ("Japan", "Travel"),
    ("Korea", "Travel"),
    ("Kitchen", None),
    ("Soup", "Kitchen"),
    ("Notes", None),
    ("Software", None),
    ("News", None),
)
TAGS = tuple(TOPIC_WORDS[:30])
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2025, 10, 1, tzinfo=UTC) - START).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticPost:
    title: str
    body: str
    published_at: datetime
    categories: tuple[str, ...]
    tags: tuple[str, ...]


class Corpus:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)  # noqa: S311 - a reproducible corpus, not secrets
        pseudo = sorted(
            {
                "".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 4)))
                for _ in range(6000)
            }
        )
        self.english = FUNCTION_WORDS + TOPIC_WORDS + pseudo
        weights = (
            [10.0] * len(FUNCTION_WORDS)
            + [3.0] * len(TOPIC_WORDS)
            + [60.0 / (rank + 1) ** 0.8 for rank in range(len(pseudo))]
        )
        self.cumulative = list(itertools.accumulate(weights))

    def english_sentence(self) -> str:
        words = self.random.choices(
            self.english, cum_weights=self.cumulative, k=self.random.randint(6, 16)
        )
        return " ".join(words).capitalize() + "."

    def japanese_sentence(self) -> str:
        parts = []
        for _ in range(self.random.randint(3, 7)):
            parts.append(
                self.random.choice(JAPANESE_WORDS) + self.random.choice(JAPANESE_PARTICLES)
            )
        return (
            "".join(parts)
            + self.random.choice(JAPANESE_WORDS)
            + self.random.choice(JAPANESE_ENDINGS)
        )

    def korean_sentence(self) -> str:
        parts = [
            self.random.choice(KOREAN_WORDS) + self.random.choice(KOREAN_PARTICLES)
            for _ in range(self.random.randint(3, 7))
        ]
        return (
            " ".join(parts)
            + " "
            + self.random.choice(KOREAN_WORDS)
            + self.random.choice(KOREAN_ENDINGS)
        )

    def body(self, language: str) -> tuple[str, str]:
        """About 500 words (for CJK: about as much text) and the post's language."""
        sentence = {
            "en": self.english_sentence,
            "ja": self.japanese_sentence,
            "ko": self.korean_sentence,
        }[language]
        count = {"en": 45, "ja": 40, "ko": 55}[language]
        sentences = [sentence() for _ in range(count)]
        if self.random.random() < 0.2:  # a line in another language
            other = self.random.choice(
                [self.english_sentence, self.japanese_sentence, self.korean_sentence]
            )
            sentences.insert(self.random.randrange(len(sentences)), other())
        if self.random.random() < 0.05:
            sentences.insert(self.random.randrange(len(sentences)), "We slept in a mountain hut.")
        if self.random.random() < 0.0005:
            sentences.insert(self.random.randrange(len(sentences)), "A zephyrine light.")
        if language != "en" and self.random.random() < 0.03:
            news = "北朝鮮の核問題。" if language == "ja" else "북한 비핵화 회담."
            sentences.insert(self.random.randrange(len(sentences)), news)
            if self.random.random() < 0.5:
                sentences.insert(self.random.randrange(len(sentences)), "Rubio said so.")
        elif self.random.random() < 0.01:
            sentences.insert(self.random.randrange(len(sentences)), "Rubio spoke.")
        paragraphs = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
        return "\n\n".join(paragraphs), language

    def post(self) -> SyntheticPost:
        language = self.random.choices(["en", "ja", "ko"], [0.6, 0.25, 0.15])[0]
        body, _ = self.body(language)
        if language == "en":
            title = " ".join(
                self.random.choices(TOPIC_WORDS, k=self.random.randint(3, 6))
            ).capitalize()
        elif language == "ja":
            title = "".join(self.random.choices(JAPANESE_WORDS, k=3)) + "の話"
        else:
            title = " ".join(self.random.choices(KOREAN_WORDS, k=3))
        category = self.random.choice(CATEGORIES)[0]
        return SyntheticPost(
            title=title,
            body=body,
            published_at=START + timedelta(seconds=self.random.randrange(SPAN_SECONDS)),
            categories=(category,),
            tags=tuple(self.random.sample(TAGS, k=self.random.randint(0, 3))),
        )


def posts(count: int, *, seed: int = 5) -> Iterator[SyntheticPost]:
    corpus = Corpus(seed)
    for _ in range(count):
        yield corpus.post()
