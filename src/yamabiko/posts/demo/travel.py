"""Demo posts about trips in Japan and Korea."""

from __future__ import annotations

from datetime import time

from yamabiko.posts.demo.records import DemoPost

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="지리산 둘레길, 첫날",
        days_ago=141,
        at=time(21, 40),
        categories=("Korea",),
        tags=("walking", "travel", "한국어"),
        body="""
        지리산 둘레길을 걸어 보고 싶다는 생각은 오래전부터 하고 있었다. 이번에 드디어 며칠
        휴가를 내고, 한 구간을 천천히 걸어 보기로 했다.

        아침 일찍 버스를 타고 작은 마을 앞에서 내렸다. 길은 생각보다 순했다. 산을 넘는
        길이라기보다는 산자락을 따라 마을과 마을 사이를 잇는 길이라서, 논둑을 지나고
        감나무 아래를 지나고, 가끔은 누군가의 집 마당 앞을 지나기도 했다.

        점심은 길가의 작은 식당에서 산채비빔밥을 먹었다. 나물이 여덟 가지쯤 들어 있었는데
        이름을 다 알 수는 없었다. 주인 할머니가 “어디서 왔어요?” 하고 물으셔서 서툰
        한국어로 대답했더니, 웃으시면서 된장국을 한 그릇 더 주셨다.

        오후에는 고개를 하나 넘었다. 고갯마루에서 “야호” 하고 외쳐 보았지만 메아리는
        돌아오지 않았다. 골짜기가 너무 넓었던 모양이다. 대신 멀리서 개 짖는 소리가 대답처럼
        들려왔다.

        민박집에 도착하니 다리가 뻐근했다. 내일은 조금 더 긴 구간이다. 일찍 자야겠다.
        """,
    ),
    DemoPost(
        title="朝市と古い石橋",
        days_ago=120,
        at=time(17, 20),
        categories=("Japan",),
        tags=("travel", "markets", "日本語"),
        body=(
            "旅先では、できるだけ朝市に行くことにしている。"
            "観光地の昼の顔より、朝の顔のほうがその町らしいと思うからだ。\n\n"
            "今回泊まった町の朝市は、川沿いの細い通りに六時ごろから店が並びはじめる。"
            "七時前に行くと、まだ段ボール箱から野菜を出しているところだった。\n\n"
            "干物、漬物、山菜、手作りのこんにゃく。"
            "旅の途中では何を買っても料理できないのに、つい手に取ってしまう。"
            "結局、小さな瓶入りの柚子味噌と、"
            "おばあさんが「今朝とったばかり」と言うきゅうりを一本買った。"
            "きゅうりはその場で洗ってもらい、歩きながらかじった。\n\n"
            "### 石橋のこと\n\n"
            "通りの端に、苔むした古い石橋がある。"
            "案内板によれば、江戸時代の終わりごろに架けられたものらしい。"
            "欄干に手を置くと、朝日でほんのり温まっていた。\n\n"
            "橋の上からは、川で洗い物をする人や、自転車で学校へ向かう高校生が見えた。"
            "何百年も前から、この橋の上を同じような朝が通り過ぎてきたのだろう。\n\n"
            "柚子味噌は家に帰ってから、ふろふき大根にのせて食べた。"
            "旅の終わりに、もう一度だけあの朝市の匂いがした。"
        ),
    ),
    DemoPost(
        title="The bus that leaves at 6:12",
        days_ago=99,
        at=time(6, 58),
        categories=("Japan",),
        tags=("travel", "walking", "buses"),
        body="""
        Most of the walks I like best begin with a bus that runs twice a day. The first
        leaves the station at 6:12. The second leaves at 15:40, which is no use to anyone
        who wants to walk anywhere.

        So the day starts in the dark, at a stop with a bench and a timetable bleached
        almost white by the sun. There are usually three or four of us: a couple with
        their poles already extended, a man with a fishing rod, and an old woman who gets
        off after two stops with a bag of something from the station bakery.

        The driver knows everyone except me. He says good morning to each of them by name,
        and to me he says good morning and then the name of the stop where walkers get
        off, as a question. I nod. He nods. The conversation is complete.

        The road follows the river uphill for forty minutes. Mist sits in the fields. At
        most stops nobody is waiting, but the bus slows down anyway, just in case.

        I have missed the 6:12 exactly once. I walked to the trailhead along the road
        instead, which took three hours and was, against every expectation, the best part
        of that day.
        """,
    ),
    DemoPost(
        title="A night in a mountain hut",
        days_ago=64,
        at=time(21, 15),
        categories=("Japan", "Mountains"),
        tags=("travel", "walking", "mountain huts"),
        excerpt="Slippers, curry, twenty strangers and a sunrise over the clouds.",
        body="""
        I had walked past mountain huts for years without ever staying in one. This time
        the route was too long for a day, so I booked a bed, packed a sleeping sheet and a
        spare pair of socks, and climbed.

        ### Arriving

        The hut sits just below a saddle: a long, low building with a tin roof held down
        by stones. I arrived a little after three. A notice at the door asked walkers to
        take off their boots, put them in a numbered box and collect a pair of plastic
        slippers, which everyone then wears with great seriousness until morning.
        """,
        extended="""
        ### The rules, as I understood them

        - Dinner is at half past five. It is not at twenty to six.
        - Lights go out at eight. Really out.
        - Water is precious; every drop was carried, pumped or caught from the roof. Wash
          lightly.
        - Your rubbish goes home with you.
        - Everyone says good morning to everyone, in the dark, at four.

        ### Dinner

        Curry, rice, pickles and a bowl of miso soup, eaten at long tables with twenty
        strangers. The man next to me had climbed this mountain every year for thirty
        years and told me which corner of the ridge to stand on at sunrise. The woman
        opposite was on her first long walk and had blisters on both heels; three people
        offered her tape at once.

        ### Night

        Sleeping in a hut is mostly not sleeping. The futons are laid edge to edge, close
        enough to count your neighbour's breathing. Someone snores. Someone gets up to
        find the toilet and lights the whole room with a head torch for a second. The wind
        works at the roof all night.

        ### Morning

        At half past four the whole hut was outside in the cold, facing the same way, not
        speaking. Then the sun came up over a sea of cloud, and someone said, very
        quietly, “ah”, which was exactly the right thing to say.

        > You do not stay in a hut for the comfort. You stay so that you are already up
        > there when the light arrives.

        I wrote that in my notebook at breakfast. It still seems true.
        """,
    ),
    DemoPost(
        title="Two rainy days in Busan",
        days_ago=43,
        at=time(20, 50),
        categories=("Korea",),
        tags=("travel", "rain", "markets"),
        body="""
        It rained for the whole of my two days in Busan. I had planned a walk along the
        coastal path and a climb to a viewpoint above the harbour. I did neither, and I am
        not sorry.

        The first morning I sheltered in the fish market, which turns out to be one of the
        best places in the world to be when it is raining. The floors are wet anyway.
        Everyone is busy. The tanks are full of things I could not name, and the women
        running the stalls call out prices without looking up. Upstairs I pointed at a
        plate of grilled mackerel on somebody else's table and was given exactly that,
        with rice, soup and six small side dishes I had not asked for.

        In the afternoon I rode the subway to the end of a line just to see where it went,
        and drank a coffee in a café with a window onto the sea. The rain came in
        sideways. Ships waited out in the grey for their turn.

        On the second day I found a covered market street that went on for far longer than
        seemed possible, and ate hotteok, a pancake filled with brown sugar and seeds,
        standing under an awning and burning my mouth exactly as the woman selling them
        had warned me I would.

        Next time, the coastal path. Or possibly the fish market again.
        """,
    ),
)
