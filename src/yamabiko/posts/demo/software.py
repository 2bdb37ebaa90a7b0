"""Demo posts about small programs: measuring echoes, logs, backups, tools."""

from __future__ import annotations

from datetime import time

from yamabiko.posts.demo.records import DemoPost

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="Measuring an echo with a clap and a laptop",
        days_ago=155,
        at=time(22, 10),
        categories=("Software", "Echoes"),
        tags=("python", "echo", "sound"),
        excerpt="A standard-library Python script that times an echo in a WAV recording.",
        body="""
        After the last walk I wanted a better number than “about two seconds”. So I
        recorded a few claps on my phone, copied the files to the laptop and wrote a short
        script to find the echo in them.

        ### The idea

        A clap is a sharp spike in the recording; its echo is a smaller spike a little
        later. Find the loudest moment, then the loudest moment after a short quiet gap,
        and the time between the two is the round trip. Sound travels at about 343 metres
        a second in air at 20 °C, and it has to go there *and* back, so:

        > distance = 343 × delay ÷ 2

        ### The script

        It reads a mono, 16-bit WAV file using nothing but the standard library.

        ```python
        import array
        import sys
        import wave

        SPEED_OF_SOUND = 343.0  # metres per second, at about 20 °C


        def echo_delay(path: str, quiet_gap: float = 0.15) -> float:
            with wave.open(path, "rb") as recording:
                rate = recording.getframerate()
                samples = array.array("h", recording.readframes(recording.getnframes()))
            loudness = [abs(sample) for sample in samples]
            clap = max(range(len(loudness)), key=loudness.__getitem__)
            start = clap + int(quiet_gap * rate)
            echo = max(range(start, len(loudness)), key=loudness.__getitem__)
            return (echo - clap) / rate


        if __name__ == "__main__":
            delay = echo_delay(sys.argv[1])
            print(f"{delay:.2f} s, so about {SPEED_OF_SOUND * delay / 2:.0f} m away")
        ```

        The quiet gap matters: without it, the “echo” it finds is just the tail of the
        clap itself.

        ### What it said

        | Place | Delay | Distance |
        |---|---:|---:|
        | Rock ledge above the reservoir | 2.04 s | 350 m |
        | Car park below the pass | 0.71 s | 122 m |
        | Gravel bed by the river | 1.38 s | 237 m |
        | My kitchen, for comparison | — | — |

        The kitchen gave no answer at all, which is a relief.

        ### Caveats

        - Wind and running water make noise that the loudest-sample trick cannot tell
          apart from an echo.
        - The speed of sound changes by about 0.6 m/s per degree, which hardly matters
          at these distances.
        - A phone microphone squashes loud sounds, so the clap itself is often clipped.
          The timing still works.

        Next time I want to bring the laptop up to the ridge, and plot the whole waveform
        instead of trusting two numbers.
        """,
    ),
    DemoPost(
        title="The static site generator I wrote, and then deleted",
        days_ago=127,
        at=time(23, 2),
        categories=("Software",),
        tags=("python", "side projects"),
        body="""
        Before this blog ran on Yamabiko, it was a folder of Markdown files and a static
        site generator I wrote over two weekends. It was about three hundred lines of
        Python, and I was very proud of it for about a month.

        It did exactly what I needed: read the files, render them, write the HTML, copy
        the images. Then I wanted tags. Then an archive by month. Then a feed, then
        drafts, then a way to schedule a post for the morning without being awake to
        publish it.
        """,
        extended="""
        Each of those features was small. Together they turned three hundred lines into a
        thousand, and a thousand lines I had to hold in my head whenever I wanted to
        *write something*. The generator had become the hobby, and the writing had become
        the thing I did to test it.

        ### What I kept

        - The habit of writing in Markdown, in a plain editor.
        - A deep dislike of anything that needs a build step before I can see a typo.
        - The test that checked every page for broken internal links. That one was good.

        ### What I learned

        A blog engine looks like a weekend project because the first weekend goes so well.
        The second weekend is dates and time zones. The third is somebody else's feed
        reader.

        So I deleted it, without ceremony, and moved the posts across. I do not miss it. I
        do still have the folder of Markdown files, though. Just in case.
        """,
    ),
    DemoPost(
        title="A walking log in plain text",
        days_ago=85,
        at=time(22, 30),
        categories=("Software",),
        tags=("plain text", "side projects", "walking", "python"),
        body="""
        I keep a record of every walk in a single text file. One walk per line, columns
        separated by spaces, and a free-text note at the end:

        ```text
        # km   ascent  hours  note
        12.4   640     4.2    ridge loop from the dam, fog all day
        6.0    210     1.8    river path, turned back in the rain
        18.9   1130    7.5    the long one over the pass, bus home
        ```

        It opens in anything, it compares nicely under version control, and it will still
        be readable when every app I have tried for this has shut down. Once a month I ask
        it a question. This is the whole program:

        ```python
        from pathlib import Path


        def totals(path: Path) -> tuple[int, float, int]:
            walks, km, ascent = 0, 0.0, 0
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.split(maxsplit=3)
                walks += 1
                km += float(fields[0])
                ascent += int(fields[1])
            return walks, km, ascent


        walks, km, ascent = totals(Path("walks.txt"))
        print(f"{walks} walks, {km:.1f} km, {ascent} m climbed")
        ```

        For the three lines above it prints `3 walks, 37.3 km, 1980 m climbed`.

        Will it ever grow into a proper app with graphs? Probably not. That is rather the
        point.
        """,
    ),
    DemoPost(
        title="Backing up a blog is copying one file",
        days_ago=50,
        at=time(23, 45),
        categories=("Software",),
        tags=("sqlite", "backups", "side projects"),
        body="""
        This blog keeps everything in one SQLite database file. That makes backups almost
        boring, which is exactly what backups should be.

        Copying the file while the site is running is *not* quite safe: a write could land
        halfway through the copy. SQLite has a proper way to do it, and its command-line
        shell exposes it:

        ```sh
        sqlite3 blog.sqlite3 ".backup 'backups/blog-$(date +%Y%m%d).sqlite3'"
        ```

        That line runs every night from a timer. Once a week another job copies the
        newest backup to a second machine, and once a month I do the part everyone skips:
        I open a backup and check that it really is a blog.

        ```sh
        latest=$(ls -1 backups/*.sqlite3 | tail -n 1)
        sqlite3 "$latest" "PRAGMA integrity_check;"
        sqlite3 "$latest" "SELECT count(*) FROM posts_post;"
        ```

        The first should print `ok`. The second should print a number that looks like the
        number of posts I remember writing.

        ### How long copies are kept

        | Age | Kept |
        |---|---|
        | Up to a week | every night's |
        | Up to two months | one a week |
        | Older | one a month |

        The pruning is a few lines of shell that I will not show, because it is the least
        interesting code I own and I am slightly embarrassed by it.

        A backup you have never restored is a hope, not a backup. Restoring this one
        means: stop the site, copy the file back, start the site.
        """,
    ),
    DemoPost(
        title="Small tools I keep reaching for",
        days_ago=19,
        at=time(22, 55),
        categories=("Software",),
        tags=("side projects", "tools", "python"),
        body="""
        Not a list of the best tools. Just the ones that, going by my shell history, I
        actually use.

        - **A plain text editor** with no plugins I could not explain. I have tried the
          elaborate setups. I keep coming back.
        - **`rg`**, for finding where I wrote something. Notes, code, old posts: it does
          not care.
        - **`sqlite3`**, the command-line shell, for looking at data before writing a
          program about it.
        - **`make`**, for projects whose commands I forget between visits. A Makefile is a
          note to my future self that happens to run.
        - **A stopwatch script** of six lines that prints the elapsed time whenever I
          press Enter. I use it for tea, for bread and, lately, for echoes.
        - **A paper notebook**, which is not software but has the best uptime of anything
          on this list.

        The stopwatch, since someone always asks:

        ```python
        import time

        start = time.monotonic()
        while True:
            input()
            print(f"{time.monotonic() - start:7.2f} s")
        ```

        Ctrl+C stops it. That is the entire interface, and it has never needed an update.
        """,
    ),
)
