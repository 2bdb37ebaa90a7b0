"""Demo posts about walking in the hills and listening for echoes."""

from __future__ import annotations

from datetime import time

from yamabiko.posts.demo.records import DemoPost
from yamabiko.posts.models import PostStatus

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="A ridge walk in thin fog",
        days_ago=169,
        at=time(18, 30),
        categories=("Mountains",),
        tags=("walking", "fog"),
        body="""
        The forecast said clear by ten. At ten the ridge was still inside a cloud, the
        kind that is not quite rain but leaves every sleeve damp anyway.

        Fog changes the size of a walk. The path ends twenty metres ahead, so the whole
        mountain shrinks to a room you carry with you: a few rocks, a stunted pine, the
        next cairn appearing grey and then suddenly solid. I stopped looking for the view
        and started looking at lichen.

        Around noon the wind turned and the cloud tore open for perhaps a minute. There
        was the valley, very green, with a river in it and a white road beside the river,
        and then it closed again, like a curtain drawn across a stage that was not ready.

        I ate lunch sitting on my pack, quickly, because I was getting cold, and walked
        down the long way round. Not a summit day. A good day.
        """,
    ),
    DemoPost(
        title="山びこを聞きに行った日",
        days_ago=162,
        at=time(20, 44),
        categories=("Echoes",),
        tags=("echo", "walking", "日本語"),
        body=(
            "子どものころ、山に向かって「やっほー」と叫ぶと声が返ってくるのが"
            "不思議でならなかった。祖母はそれを山びこと呼び、"
            "山に住む誰かがまねをしているのだと教えてくれた。"
            "大人になった今でも、あの返事をもう一度ちゃんと聞いてみたくて、"
            "週末に近くの山へ出かけた。\n\n"
            "### 谷の見える岩場で\n\n"
            "登山口から一時間ほど歩くと、向かいの斜面まで谷が大きく開けた岩場に出る。"
            "ほかに人がいないのを確かめてから、手をひとつ叩いてみた。"
            "少し間をおいて、乾いた音がひとつ返ってきた。\n\n"
            "次は声を出してみた。名前を呼ぶのは照れくさいので「おーい」にした。"
            "返ってきた声は自分の声より少し低く、少し遅く、どこか他人のようだった。"
            "祖母の話もまんざら嘘ではないのかもしれない。\n\n"
            "### 数えてみると\n\n"
            "手を叩いてから音が返ってくるまで、だいたい二秒。"
            "音は一秒に三百四十メートルほど進み、山びこは行って帰ってくるので、"
            "向かいの斜面まではおよそ三百四十メートルということになる。"
            "計算してしまうと少し味気ないけれど、それでも山びこは毎回ちゃんと返ってくる。\n\n"
            "帰り道、沢の音にまじって鳥の声があちこちに響いていた。"
            "山はいつも、何かに返事をしているのかもしれない。"
        ),
    ),
    DemoPost(
        title="What goes in the day pack",
        days_ago=134,
        at=time(7, 50),
        categories=("Mountains",),
        tags=("walking", "gear", "lists"),
        body="""
        People sometimes ask what I carry on a day walk. The honest answer is “slightly
        too much”, but here is the list, roughly in the order I would miss things.

        - Water: a litre, more if the day is hot or the route has no streams.
        - Something warm, even when it feels silly at the trailhead.
        - A rain shell.
        - Food, plus one extra thing I do not plan to eat.
        - Map and compass, with the map already folded to the right place.
        - Phone, with the route saved for offline use, and a small battery.
        - Head torch. Walks run late far more often than they run early.
        - Plasters, tape and painkillers in a zip bag.
        - A sit mat, which weighs nothing and improves every lunch.

        ### Weights, because I got curious

        | Item | Grams |
        |---|---:|
        | Water (1 litre) | 1000 |
        | Fleece | 310 |
        | Rain shell | 260 |
        | Lunch and spare food | 450 |
        | Map, compass, phone, battery | 330 |
        | Head torch | 90 |
        | First aid bag | 120 |
        | Sit mat | 40 |
        | **Total** | **2600** |

        Almost forty per cent of it is water, which is the one thing I will not cut. The
        fleece could be lighter. The sit mat stays.
        """,
    ),
    DemoPost(
        title="Why some valleys answer late",
        days_ago=106,
        at=time(20, 5),
        categories=("Echoes",),
        tags=("echo", "sound"),
        excerpt="Distance, shape, forest and warm air: why an echo comes back when it does.",
        body="""
        On some walks an echo comes back at once, sharp and slightly cheeky, like a
        parrot. On others you shout, give up, turn away, and *then* the answer arrives,
        faint and from somewhere unexpected. I wanted to know why.

        ### Distance is most of it

        Sound covers a kilometre in about three seconds, and an echo has to go there and
        back. So a cliff five hundred metres away answers after roughly three seconds,
        and one a hundred metres away after little more than half a second. Closer than
        about twenty metres, the echo arrives so soon that it blurs into the original
        sound, and you hear the place ring rather than answer.

        ### Shape is the rest

        A flat rock face turned towards you sends sound straight back. A curved one can
        gather it, the way a mirror gathers light, and make the echo louder than it has
        any right to be. Forest scatters sound in every direction, which is why a wooded
        valley swallows a shout instead of returning it. Wind carries sound along or
        pushes it aside, and on warm afternoons the air near the ground bends sound
        upwards, over your head.

        ### The late ones

        Echoes that arrive late and from the wrong direction are usually second bounces:
        the sound hits one slope, crosses the valley, hits the other, and only then finds
        you. Each bounce loses some of it, so those answers are quiet and soft-edged.

        An old walking companion of mine put it better than any of this:

        > The mountain isn't slow. It is deciding whether you deserve an answer.

        I still prefer her explanation to the physics.
        """,
    ),
    DemoPost(
        title="Notes from forty-one echo recordings",
        days_ago=29,
        at=time(21, 30),
        categories=("Echoes",),
        tags=("echo", "sound", "recordings"),
        body="""
        Since the clap experiment I have recorded an echo on almost every walk: forty-one
        of them now, from eleven different places. Most of what I learned is not
        surprising, but writing it down helped.

        **Bare rock answers best.** Every clear, single echo came from a cliff or a quarry
        face. Slopes covered in trees gave, at best, a soft smear of sound.

        **Water spoils the measurement.** Anywhere near a stream, the recording is mostly
        stream.

        **Mornings beat afternoons.** This matches the physics: by afternoon the sunny
        ground has warmed the air above it, and sound bends upwards, away from the
        listener. Early in the day the air near the ground is often cooler, and sound
        hugs the slope.

        **The loudest echo is not always the nearest.** At one reservoir the strongest
        answer came from the dam wall four hundred metres away, not from the rocks at half
        that distance. The dam is flat and faces the path squarely; the rocks are broken
        and set at odd angles.

        **People like it.** Twice, walkers who saw me clapping at a cliff stopped to try it
        themselves. One of them was still clapping when I went round the corner.

        My tally so far:

        | Surface | Recordings | Clear echo |
        |---|---:|---:|
        | Cliff or quarry | 14 | 12 |
        | Dam wall | 5 | 5 |
        | Forested slope | 15 | 2 |
        | Open hillside | 7 | 1 |
        """,
    ),
    DemoPost(
        title="The hill path is open again",
        days_ago=10,
        at=time(17, 45),
        categories=("Mountains",),
        tags=("walking", "local hill"),
        body="""
        The path up the little hill behind the town has been closed for weeks while a crew
        rebuilt the steps the last big storm washed out. This evening the barrier was
        gone.

        The new steps are timber and packed gravel, every one exactly the same height,
        which after years of the old uneven ones feels almost suspicious. Someone has also
        put a bench at the halfway bend, facing west. I sat on it for a long time.

        From the top you can see the river, the railway bridge and, on a clear evening,
        the line of real mountains far beyond. I clapped once, for old times' sake. The
        quarry across the valley answered, as it always does, a little after a second.

        It is good to have it back.
        """,
    ),
    DemoPost(
        title="The echo map, part one",
        days_ago=-4,
        at=time(20, 0),
        status=PostStatus.SCHEDULED,
        categories=("Echoes",),
        tags=("echo", "maps"),
        body="""
        For a while now I have marked every place where a shout comes back with a small
        red circle on a paper map. There are enough circles now for a pattern to show,
        and this is the first of a few posts about it.

        The short version: the circles follow the old quarries and the dams, not the
        high peaks. The best echoes in this valley are ones that people made, by accident,
        while they were busy building something else.
        """,
    ),
)
