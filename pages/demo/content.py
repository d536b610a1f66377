"""Demo content for the clinic site, written for this project.

Body entries are (block_type, value) pairs in the StreamField's raw form, except images,
which name a file in DEMO_IMAGES and are resolved to image ids by the loader.
"""

from __future__ import annotations

import datetime

CLINIC = {
    "name": "Northside Physio",
    "street_address": "14 Harbour Lane",
    "locality": "Vancouver",
    "region": "BC",
    "postal_code": "V6B 1A1",
    "country": "CA",
    "phone": "604 555 0142",
    "email": "hello@northside-physio.example",
    "opening_hours": "Mo-Fr 08:00-19:00\nSa 09:00-14:00",
    "facebook_url": "https://www.facebook.com/northsidephysio.example",
    "instagram_url": "https://www.instagram.com/northsidephysio.example",
}
# The site-wide og:image for pages without a picture of their own (a file in DEMO_IMAGES).
CLINIC_SHARE_IMAGE = "treatment-room.jpg"

DEMO_IMAGES = {
    "ims-forearm-treatment.jpg": {
        "title": "IMS treatment on a forearm",
        "description": "A physiotherapist's gloved hand beside fine filament needles placed in "
        "the muscles of a patient's forearm",
        "credit": "Northside Physio",
    },
    "treatment-room.jpg": {
        "title": "Treatment room",
        "description": "A quiet treatment room with a couch under a window",
        "credit": "Northside Physio",
    },
    "shoulder-band-exercise.jpg": {
        "title": "Shoulder band exercise",
        "description": "A red resistance band tied to a wall bar, ready for a shoulder exercise",
        "credit": "Northside Physio",
    },
}


def heading(text: str, level: str = "h2") -> tuple[str, dict]:
    return ("heading", {"text": text, "level": level})


def para(*paragraphs: str) -> tuple[str, str]:
    return ("paragraph", "".join(f"<p>{p}</p>" for p in paragraphs))


def image(file: str, alt: str, caption: str = "", decorative: bool = False) -> tuple[str, dict]:
    return (
        "image",
        {"image": {"file": file, "alt_text": alt, "decorative": decorative}, "caption": caption},
    )


def faq(*pairs: tuple[str, str]) -> tuple[str, dict]:
    return ("faq", {"items": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in pairs]})


HOME = {
    "title": "Physiotherapy for pain and movement in Vancouver",
    "slug": "home",
    "seo_title": "Northside Physio: physiotherapy, IMS and rehab in Vancouver",
    "search_description": "Northside Physio treats back, neck and sports injuries with "
    "hands-on physiotherapy, IMS dry needling and exercise plans you can follow at home.",
    "introduction": "<p>We help people move with less pain, from a stiff neck after long days at "
    "a desk to a knee that needs rebuilding after surgery. Every plan starts with a careful "
    "assessment and ends with you knowing what to do on your own.</p>",
    "hero": (
        "treatment-room.jpg",
        "A quiet treatment room at Northside Physio, with a couch under a window",
    ),
    "body": [
        heading("How we work"),
        para(
            "Your first visit is an hour long. We listen to how the problem started, watch how "
            "you move, and test strength and joint range before we suggest anything. You leave "
            "with a written plan and a clear idea of how many visits it is likely to take.",
            "Treatment mixes hands-on work, needling where it helps, and exercise. We would rather "
            "see you fewer times and give you the tools to keep improving between visits.",
        ),
    ],
}

SERVICES_INDEX = {
    "title": "Services",
    "slug": "services",
    "seo_title": "Physiotherapy services at Northside Physio, Vancouver",
    "search_description": "Treatments offered at Northside Physio: IMS dry needling, sports "
    "injury rehabilitation, post-operative physiotherapy and desk posture assessments.",
    "introduction": "<p>Each service below starts with an assessment. If another treatment would "
    "suit you better, we will say so.</p>",
}

ARTICLES_INDEX = {
    "title": "Articles",
    "slug": "articles",
    "seo_title": "Articles on pain, recovery and exercise | Northside Physio",
    "search_description": "Plain-language articles from our physiotherapists on muscle pain, "
    "recovery after injury, desk setups and how treatments such as IMS work.",
    "introduction": "<p>Short, practical reading from our team.</p>",
}

IMS_SERVICE = {
    "title": "What is IMS & how does it work for chronic muscle tension?",
    "slug": "ims",
    "seo_title": "IMS dry needling for chronic muscle tension in Vancouver",
    "search_description": "How intramuscular stimulation (IMS) works, what a session feels like, "
    "how long treatment takes and who it helps, explained by our physiotherapists.",
    "introduction": "<p>Intramuscular stimulation, or IMS, is a needling treatment for muscles "
    "that stay tight and sore long after an injury or strain should have settled. Our "
    "physiotherapists trained in IMS use it alongside exercise to release those muscles.</p>",
    "hero": (
        "ims-forearm-treatment.jpg",
        "Physiotherapist placing fine IMS needles into the muscles of a patient's forearm",
    ),
    "session_minutes_min": 15,
    "session_minutes_max": 45,
    "who_it_helps": [
        "People with neck, back or shoulder pain that has lasted months",
        "Runners and climbers with muscles that keep tightening up",
        "Office workers whose forearms and wrists ache by the end of the day",
        "Anyone whose tension returns soon after massage or stretching",
    ],
    "cta": (
        "Not sure whether IMS suits your problem? Book an assessment and we will tell you "
        "honestly.",
        "Book an IMS assessment",
        "https://booking.northside-physio.example/ims",
    ),
    "views": 23,
    "body": [
        heading("What IMS is"),
        para(
            "IMS is a way of treating muscles that have become shortened and over-sensitive. "
            "Instead of working on the muscle from the outside, the physiotherapist places a very "
            "fine, single-use filament needle into the tight band itself. The needle is solid, not "
            "hollow, and much thinner than one used for an injection: nothing is injected.",
            "The approach grew out of the observation that nerves irritated near the spine can "
            "leave the muscles they supply tight and tender. Treating those muscles, both near the "
            "sore area and close to the spine, aims to calm that cycle down.",
        ),
        heading("How it works"),
        para(
            "Before any needle is used, the physiotherapist examines you and feels along the "
            "muscles with their fingers. This palpation finds the trigger points: small, firm "
            "spots that are tender to press and often send pain somewhere else.",
            "When the needle reaches a tight band, the muscle often grips it and may give a quick "
            "twitch. That twitch and the release that follows it are what the treatment is looking "
            "for. Many people notice the muscle feels softer and moves more freely within minutes.",
        ),
        # The forearm photo is the page's hero: the body shows where sessions happen instead.
        image(
            "treatment-room.jpg",
            "A quiet treatment room with a couch under a window",
            "Sessions take place in a private treatment room; ask for a break at any time.",
        ),
        heading("What a session feels like"),
        para(
            "Most people feel the needle going through the skin only a little. When it meets a "
            "tight muscle you may feel a deep ache, a cramp-like squeeze or the twitch described "
            "above. It passes within seconds, and your physiotherapist will check in with you "
            "throughout.",
            "Afterwards the treated area can feel sore, like after a hard workout, for a day or "
            "two. Gentle movement, a warm shower and the exercises we give you help it settle.",
        ),
        heading("Why we pair it with exercise", "h3"),
        para(
            "Needling opens a window in which the muscle is easier to stretch and strengthen. "
            "We use that window: each visit ends with a few movements to practise at home so the "
            "gains last."
        ),
        heading("How long treatment takes"),
        para(
            "A session lasts between 15 and 45 minutes, depending on how many areas we treat. "
            "Treatment is usually a series of visits, often once a week for several weeks, with "
            "the gap growing as you improve. We review progress at every visit and stop when "
            "the treatment is no longer helping."
        ),
        (
            "quote",
            {
                "quote": "After six weeks my forearms stopped aching at the keyboard, and I "
                "know which stretches to do if it starts again.",
                "attribution": "A patient who works as a software developer",
            },
        ),
        faq(
            (
                "Does IMS hurt?",
                "The needle itself is barely felt; the muscle response can feel "
                "like a strong, brief ache. You can ask us to stop at any time.",
            ),
            (
                "Is IMS the same as acupuncture?",
                "Both use fine needles, but IMS is based on an "
                "examination of your muscles and nerves, and the needles go into the tight "
                "bands we find rather than traditional points.",
            ),
            (
                "How many sessions will I need?",
                "Many people notice a change within three or four "
                "visits. Long-standing problems can take longer; we will tell you what to expect "
                "after your assessment.",
            ),
        ),
    ],
}

SERVICES = [
    IMS_SERVICE,
    {
        "title": "Sports injury rehabilitation for a safe return to play",
        "slug": "sports-injury-rehabilitation",
        "seo_title": "Sports injury rehabilitation in Vancouver | Northside Physio",
        "search_description": "Rehabilitation for sprains, strains and overuse injuries, with "
        "strength testing and a staged plan that gets you back to your sport without setbacks.",
        "introduction": "<p>A structured plan to rebuild strength, control and confidence after a "
        "sports injury, ending with tests that show you are ready to play.</p>",
        "hero": (
            "shoulder-band-exercise.jpg",
            "A red resistance band tied to a wooden wall bar, "
            "set up for a shoulder strengthening exercise",
        ),
        "session_minutes_min": 30,
        "session_minutes_max": 60,
        "who_it_helps": [
            "Ankle and knee sprains",
            "Hamstring and calf strains",
            "Shoulder injuries in throwing and racquet sports",
        ],
        "cta": (
            "Tell us about your injury and the date you want to be back.",
            "Book a sports assessment",
            "https://booking.northside-physio.example/sports",
        ),
        "views": 41,
        "body": [
            heading("Stages of recovery"),
            para(
                "Recovery moves through stages: settling pain and swelling, restoring range of "
                "movement, rebuilding strength, and finally retraining the fast, reactive "
                "movements your sport asks for. Skipping a stage is the most common reason "
                "injuries come back, so we set clear targets for each one.",
                "In the early days that may be as simple as walking without a limp or lifting "
                "your arm to shoulder height. Later targets are measured: single-leg hops, "
                "strength compared side to side, or throwing at a set speed without pain.",
            ),
            heading("What your sessions include"),
            para(
                "Sessions combine hands-on treatment, supervised exercise and a home programme "
                "that changes as you improve. We film key movements on your phone so you can "
                "check your form between visits, and we keep notes your coach can read if you "
                "want us to share them.",
                "Most people come weekly at first and then every two or three weeks while they "
                "work through the later stages on their own or at the gym.",
            ),
            heading("Returning to play"),
            para(
                "Before we clear you to return, we test the injured side against the other and "
                "against what your sport demands. We agree a graded return with you, starting "
                "with training and building up to full matches over a few weeks, and we stay in "
                "touch while you do it."
            ),
        ],
    },
    {
        "title": "Physiotherapy after surgery: hip, knee and shoulder",
        "slug": "post-operative-physiotherapy",
        "seo_title": "Physiotherapy after hip, knee or shoulder surgery",
        "search_description": "Rehabilitation after joint replacement, ligament repair or "
        "shoulder surgery, following your surgeon's protocol with clear weekly goals.",
        "introduction": "<p>We follow your surgeon's protocol and turn it into weekly goals "
        "you can see, from the first days at home to the return to work and sport.</p>",
        "session_minutes_min": 30,
        "session_minutes_max": 45,
        "who_it_helps": [
            "Hip and knee replacements",
            "ACL and meniscus repairs",
            "Rotator cuff repairs and shoulder stabilisation",
        ],
        "cta": (
            "Bring your surgeon's notes to the first visit.",
            "Book after-surgery rehab",
            "https://booking.northside-physio.example/surgery",
        ),
        "views": 17,
        "body": [
            heading("Before and soon after your operation"),
            para(
                "If we can see you before surgery, we teach the first exercises while you are "
                "comfortable and check that your home is set up for the first weeks. After the "
                "operation the early goals are controlling swelling, getting the joint moving "
                "within the limits your surgeon sets, and walking or using the arm safely.",
                "We work from your surgeon's protocol and contact the team if anything looks "
                "different from what they expect, such as a knee that will not straighten.",
            ),
            heading("Building strength and confidence"),
            para(
                "As healing allows, exercises become harder and more like the things you need to "
                "do: stairs, getting in and out of a car, lifting a bag onto a shelf. We measure "
                "range and strength regularly so you can see progress even in weeks that feel "
                "slow.",
                "Many people need physiotherapy for three to six months after a joint "
                "replacement or ligament repair. Visits become less frequent as you take over "
                "more of the work yourself.",
            ),
            heading("When to call us between visits"),
            para(
                "Call if pain or swelling rises sharply, the wound changes, or you lose movement "
                "you had. We would rather hear from you early than find out at the next visit."
            ),
        ],
    },
]

ARTICLES = [
    {
        "title": "Five desk habits that ease neck and shoulder tension",
        "slug": "desk-habits-neck-shoulder-tension",
        "seo_title": "Five desk habits that ease neck and shoulder tension",
        "search_description": "Simple changes to your screen, chair and breaks that reduce neck "
        "and shoulder tension during long working days, from our physiotherapists.",
        "introduction": "<p>Small changes to how you sit and when you move make a bigger "
        "difference to desk-related neck pain than any single perfect posture.</p>",
        "author": "Priya Raman, physiotherapist",
        "date": datetime.date(2026, 9, 14),
        "tags": ["desk work", "neck pain", "posture"],
        "views": 23,
        "body": [
            heading("Move more often, not more perfectly"),
            para(
                "There is no single correct way to sit. The body copes with most positions for a "
                "while; trouble starts when we hold any one of them for hours. Setting a reminder "
                "to stand, walk to refill a glass of water, or roll your shoulders every half "
                "hour does more than adjusting your chair again and again.",
            ),
            heading("Bring the screen to your eyes"),
            para(
                "If you look down at a laptop all day, your neck muscles hold the weight of your "
                "head in front of you. Raising the screen so the top edge is near eye level, and "
                "using a separate keyboard, lets the head rest more over the shoulders.",
            ),
            heading("Let the chair do some work"),
            para(
                "Sit back so the backrest supports you, with your feet flat and your forearms "
                "resting on the desk or armrests. Supported forearms take load off the muscles "
                "that run from the neck to the shoulder blades.",
            ),
            heading("Try two quick exercises"),
            para(
                "Chin tucks: gently draw your chin back as if making a double chin, hold for a "
                "few seconds and relax, ten times. Shoulder blade squeezes: draw the shoulder "
                "blades back and down, hold, and release. Neither should hurt.",
                "If tension keeps returning despite these changes, an assessment can find which "
                "muscles are involved and whether treatments such as IMS would help.",
            ),
        ],
    },
    {
        "title": "IMS or massage: which helps a muscle that keeps tightening?",
        "slug": "ims-or-massage",
        "seo_title": "IMS or massage for a muscle that keeps tightening?",
        "search_description": "How IMS dry needling and massage differ, what each is good for, "
        "and how a physiotherapist decides which to use for recurring muscle tension.",
        "introduction": "<p>Both treatments can relax a tight muscle. The difference lies in how "
        "deep they reach and how long the change lasts.</p>",
        "author": "Daniel Okafor, physiotherapist",
        "date": datetime.date(2026, 10, 2),
        "tags": ["IMS", "muscle tension"],
        "views": 9,
        "body": [
            heading("What massage does well"),
            para(
                "Massage works through the skin and the surface of the muscle. It is relaxing, "
                "it eases soreness after hard training, and for many people it is enough. It "
                "struggles with small, deep knots that do not release under pressure, and its "
                "effect can fade within a day or two.",
            ),
            heading("Where IMS is different"),
            para(
                "IMS places a fine filament needle directly into the tight band. The muscle often "
                "twitches and then lets go, which pressure from outside rarely achieves in deep "
                "muscles near the spine or in the forearm. Because the needling also targets "
                "muscles supplied by the same nerve, the change often lasts longer.",
            ),
            image("treatment-room.jpg", "", decorative=True),
            heading("How we choose"),
            para(
                "We look at how long the problem has lasted, how the muscles respond to touch, and "
                "what you prefer. Some people start with manual therapy and add IMS if the "
                "tension keeps returning; others come to us specifically because massage has "
                "stopped helping. In both cases exercise is what keeps the muscle relaxed once "
                "it has released.",
                "If you are unsure, book an assessment and ask. We will explain the options and "
                "let you decide.",
            ),
        ],
    },
    {
        "title": "How to pace your return to running after a calf strain",
        "slug": "return-to-running-calf-strain",
        "seo_title": "Returning to running after a calf strain: a paced plan",
        "search_description": "A step-by-step return to running after a calf strain: the "
        "strength checks to pass first, a walk-run plan, and warning signs to slow down.",
        "introduction": "<p>Calf strains come back when people return too fast. A few simple "
        "checks tell you when your calf is ready for the next step.</p>",
        "author": "Priya Raman, physiotherapist",
        "date": datetime.date(2026, 11, 3),
        "tags": ["running", "sports injury"],
        "views": 5,
        "body": [
            heading("Check your strength first"),
            para(
                "Before running, you should be able to walk briskly without pain and do single-leg "
                "calf raises on the injured side close to the number you manage on the other side. "
                "Twenty or more slow raises is a useful target for most runners.",
            ),
            heading("Walk before you run"),
            para(
                "Start with short intervals of easy running inside a walk, for example one minute "
                "of running and two of walking, repeated six times. If the calf feels fine that "
                "evening and the next morning, add a little more running at the next session. "
                "Leave a rest day between runs for the first two weeks.",
            ),
            heading("Signs to slow down"),
            para(
                "Tightness that builds during a run, pain that makes you change how you run, or "
                "stiffness that is worse the next morning are signs to step back a stage. A "
                "setback of a few days is normal; pushing through it is what turns it into weeks.",
                "If you have had more than one calf strain, ask us to check the strength of your "
                "whole leg: weakness at the hip or foot often leaves the calf doing too much.",
            ),
        ],
    },
]
