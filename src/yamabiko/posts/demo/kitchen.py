"""Demo posts about cooking: soup, rice, a stew learned on a trip, bread."""

from __future__ import annotations

from datetime import time

from yamabiko.posts.demo.records import DemoPost

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="Miso soup for one, properly",
        days_ago=148,
        at=time(19, 15),
        categories=("Kitchen",),
        tags=("cooking", "recipes", "miso"),
        body="""
        For years my miso soup was a spoonful of paste stirred into a cup of hot water. It
        was fine. Then a friend made it for me the slow way, and I realised I had been
        drinking the idea of soup rather than the soup.

        This is the version I make now, for one bowl.

        1. Put a piece of kombu, about half the size of a postcard, into 300 ml of cold
           water and leave it for half an hour if you can.
        2. Heat it gently and lift the kombu out just before the water boils.
        3. Add a handful of katsuobushi, turn off the heat, wait two minutes and strain.
        4. Warm the stock again with whatever the fridge offers: tofu, a few thin slices
           of daikon, wakame, a spring onion.
        5. Turn off the heat *before* the miso goes in. About one tablespoon, dissolved
           through a small sieve or in a ladle of the stock.

        The step that changed everything was the last one. Boiled miso goes flat and a
        little sour; miso added off the heat smells like a kitchen in the morning.

        The kombu can go into a second, weaker stock, or be sliced thin and simmered with
        soy sauce and a little sugar into something to eat with rice.
        """,
    ),
    DemoPost(
        title="In defence of onigiri on the summit",
        days_ago=113,
        at=time(12, 35),
        categories=("Kitchen", "Mountains"),
        tags=("cooking", "walking", "rice"),
        body="""
        Sandwiches get squashed. Crackers turn into crumbs. Bananas, well, we all know what
        happens to bananas in a pack. Onigiri, wrapped tightly and packed on top, arrive
        at the summit looking exactly as they did in the kitchen.

        My reasons, in no particular order:

        - **They keep.** Salted rice around a sour plum is happy for a day without a
          fridge.
        - **They are the right size.** One at the first rest, one at the top, one on the
          way down.
        - **They are quiet food.** You can eat one standing up, in wind, with your gloves
          half on.
        - **They carry a little salt**, which you want after a steep climb.

        The filling I come back to is grilled salmon with a little mayonnaise, although
        purists tell me that does not count. For long days I mix chopped pickled greens
        and sesame right into the rice, with no filling at all, so there is no wrong end
        to bite.

        Wet your hands, salt your hands, and do not press too hard. A good onigiri holds
        together on the outside and stays soft inside. Wrap the nori separately if you
        like it crisp; I have stopped bothering.
        """,
    ),
    DemoPost(
        title="된장찌개를 처음 끓인 날",
        days_ago=92,
        at=time(19, 48),
        categories=("Kitchen",),
        tags=("cooking", "recipes", "한국어"),
        body="""
        지리산에서 먹었던 된장국 맛이 잊히지 않아서, 집에서 된장찌개를 처음으로 끓여
        보았다.

        한국 식료품점에서 된장과 고춧가루, 애호박을 샀다. 두부와 양파, 감자는 집에 있던
        것을 썼다. 멸치와 다시마로 육수를 내고, 감자와 양파를 먼저 넣어 끓이다가 된장을
        풀었다. 된장은 생각보다 짰다. 레시피에는 두 숟가락이라고 적혀 있었지만, 한
        숟가락을 넣고 맛을 본 다음 반 숟가락만 더 넣었다.

        애호박과 두부를 넣고 오 분쯤 더 끓인 뒤, 마지막에 고춧가루를 조금, 청양고추를 반
        개 넣었다. 냄새가 부엌을 가득 채웠다. 일본의 미소시루와 비슷한 듯하면서도 전혀
        다른 음식이다. 미소시루는 미소를 넣은 뒤에 끓이지 않는 것이 중요한데, 된장찌개는
        된장을 풀고 나서 보글보글 끓여야 제맛이라고 한다.

        밥 한 공기와 김치를 곁들여 먹었다. 길가 식당 할머니가 주신 그 된장국 맛에는 아직
        못 미치지만, 처음치고는 나쁘지 않았다. 다음에는 바지락을 넣어 볼 생각이다.
        """,
    ),
    DemoPost(
        title="雨の日は鍋にする",
        days_ago=78,
        at=time(18, 12),
        categories=("Kitchen",),
        tags=("cooking", "rain", "日本語"),
        body=(
            "朝から雨。予定していた山歩きは早々にあきらめて、今日は台所で過ごすことにした。\n\n"
            "雨の日は鍋にすると決めている。材料を切って、土鍋に入れて、火にかけるだけ。"
            "外に出なくても、台所に湯気が立つと一日がちゃんと進んでいる気がする。\n\n"
            "### 今日の鍋\n\n"
            "- 昆布だし（前の晩から水に浸けておいた）\n"
            "- 白菜の芯に近いところ\n"
            "- 鶏もも肉\n"
            "- 長ねぎ、しいたけ、豆腐\n"
            "- 最後に春菊をひとつかみ\n\n"
            "味つけは薄口しょうゆと酒を少しだけ。"
            "あとは食べるときに、ポン酢や柚子こしょうで好きなように。\n\n"
            "鍋はひとりで囲んでも悪くない。雨の音を聞きながら、"
            "煮えた白菜をすくっては食べ、すくっては食べる。"
            "気がつけば窓の外はもう暗くなっていた。\n\n"
            "締めはうどんにした。残っただしを少し取り分けて、明日の朝の味噌汁に使うつもりだ。"
            "山には行けなかったけれど、いい一日だった。"
        ),
    ),
    DemoPost(
        title="A bread that forgives everything",
        days_ago=36,
        at=time(10, 5),
        categories=("Kitchen",),
        tags=("cooking", "recipes", "bread"),
        body="""
        I am not a baker. I have killed two sourdough starters and I do not own a proving
        basket. But I make this loaf almost every week, because it has forgiven every
        mistake I have ever made with it.

        ### You need

        - 400 g bread flour (or half white, half wholemeal)
        - 8 g salt
        - ¼ teaspoon dried yeast
        - 300 ml lukewarm water

        ### You do

        1. Stir everything together in a bowl until no dry flour is left. It will look
           like a mess. That is correct.
        2. Cover the bowl and leave it on the counter overnight, twelve to eighteen hours.
        3. In the morning, tip the dough onto a floured board, fold it over itself a few
           times and shape it into a rough ball.
        4. Let it rest for an hour while the oven heats to 240 °C with a lidded pot
           inside.
        5. Drop the dough into the hot pot and bake it with the lid on for 30 minutes,
           then lid off for another 15, until it is darker than you think it should be.

        Let it cool before cutting. This is the only step I have never managed to follow.

        What it forgives: being forgotten for twenty hours, a little too much water, not
        enough flour on the board, a cool kitchen. What it does not forgive: a pot that is
        not hot enough. Ask me how I know.
        """,
    ),
)
