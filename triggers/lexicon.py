"""Word lists the trigger rules and the training-data generator share.

Written by hand for this project. They say which words describe a company ("startup", "Singapore's")
rather than name it, which words are everyday English (so a Title Case or ALL-CAPS headline can still
be told apart into names and words), and which places count as markets for an expansion.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

NATIONALITIES = frozenset(
    """
    american british english scottish irish welsh french german dutch belgian swiss austrian italian spanish
    portuguese swedish norwegian danish finnish nordic icelandic polish czech hungarian romanian greek turkish
    russian ukrainian israeli emirati saudi egyptian nigerian kenyan african south-african ghanaian
    indian pakistani bangladeshi sri lankan nepali chinese japanese korean south-korean taiwanese
    singaporean malaysian indonesian thai vietnamese filipino philippine cambodian myanmar burmese laotian
    australian aussie canadian mexican brazilian argentine argentinian chilean colombian peruvian
    european asian asean southeast-asian latin latam arab middle-eastern hongkong hong-kong kiwi
    berlin-based london-based paris-based
    """.split()
)

PLACES = frozenset(
    """
    singapore malaysia indonesia thailand vietnam philippines cambodia myanmar laos brunei india pakistan
    bangladesh china japan korea taiwan australia zealand us usa uk america britain england europe
    asia africa germany france spain italy netherlands sweden norway denmark finland poland russia
    turkey israel uae dubai egypt nigeria kenya brazil mexico canada argentina chile colombia peru
    london paris berlin tokyo seoul beijing shanghai shenzhen hangzhou jakarta bangkok manila hanoi
    mumbai delhi bengaluru bangalore chennai hyderabad pune sydney melbourne toronto york san francisco
    boston seattle austin chicago amsterdam stockholm dublin madrid lisbon munich zurich kuala lumpur
    surabaya bandung penang yangon saigon ho chi minh city hong kong macau middle east latin
    southeast sea mena emea apac silicon valley
    """.split()
)

# Words that describe the company instead of naming it ("fintech startup", "e-commerce giant").
DESCRIPTORS = frozenset(
    """
    startup start-up startups company firm giant platform marketplace app provider maker developer operator
    player unicorn decacorn business venture group network service services solution solutions specialist
    brand retailer chain agency lender bank insurer insurtech fintech edtech healthtech medtech proptech
    agritech agtech foodtech legaltech regtech cleantech deeptech biotech adtech martech hrtech traveltech
    logistics e-commerce ecommerce commerce saas software hardware ai blockchain crypto cryptocurrency
    mobile online digital social delivery payments payment ride-hailing ride-sharing scooter bike
    co-working coworking hotel travel booking food grocery fashion beauty health healthcare education
    learning gaming esports media news content video music streaming analytics data cloud security
    cybersecurity robotics drone electric ev energy solar battery automotive car mobility telecom
    messaging chat chatbot community dating real estate property rental lending p2p wealth investment
    insurance trading exchange wallet remittance accounting hr recruitment recruiting jobs job talent
    b2b b2c consumer enterprise industrial manufacturing semiconductor chip chipmaker carmaker automaker
    conglomerate telco incumbent rival peer subsidiary unit arm parent affiliate spinoff spin-off
    investor investors vc vcs capitalist capitalists accelerator incubator studio builder backer backers
    tech technology technologies internet web based -based focused -focused powered -powered enabled
    -enabled owned -owned backed -backed led -led listed -listed hot new young early-stage early stage
    stealth local regional global international leading largest biggest top popular upstart newcomer
    challenger neobank bnpl superapp super-app ott hyperlocal quick service restaurant cafe coffee
    kitchen cloud-kitchen logistics-tech last-mile fulfilment fulfillment warehousing shipping freight
    """.split()
)

# Everyday words of business headlines beyond spaCy's stop words; in Title Case or ALL-CAPS text a
# word from these lists is read as a word, anything else as (part of) a name.
COMMON_WORDS = frozenset(
    """
    raise raises raised raising funding fund funds funded round rounds series seed pre-seed pre-series
    investment investments invest invests invested investing financing finance capital money cash million
    millions billion billions crore lakh thousand bn mn led lead leads leading participation participating
    acquire acquires acquired acquiring acquisition acquisitions buy buys bought buying buyout takeover
    takes take took taken over merge merges merged merger stake majority minority deal deals agreement
    appoint appoints appointed appointment name names named hire hires hired hiring promote promotes
    promoted promotion elect elects elected join joins joined joining as chief executive officer officers
    president chairman chairwoman chair vice head director directors board managing manager general
    partner partners partnership partnerships partnering partnered team teams teamed up collaborate
    collaborates collaboration alliance ties tie inks signs signed mou pact launch launches launched
    launching unveil unveils unveiled release releases released introduce introduces introduced roll
    rolls rolled out debut debuts debuted expand expands expanded expanding expansion enter enters
    entered entering open opens opened opening office offices headquarters hq hub centre center campus
    facility plant store stores branch market markets region lay lays laid laying off layoff layoffs
    cut cuts cutting job jobs staff employees workers workforce people shut shuts shutting down close
    closes closed closing shutters step steps stepping resign resigns resigned resignation quit quits
    leave leaves leaving left depart departs departure exit exits retire retires retired retiring fired
    ousted ipo ipos public listing list lists listed files filed filing go goes going stock exchange
    shares share price prices priced valuation valued worth secures secured bags bagged nabs nabbed
    lands landed gets got receives received closes snags grabs picks scores rakes pulls announces
    announced completes completed new first second third fourth its their his her our your my today
    week year years month months report reports says said plans plan talks considering mulls eyes
    reportedly rumoured rumored could may might would will to help helps boost expand grow growth
    build builds building make makes made bring brings offer offers offering service services product
    products feature features users customers business businesses more than how why what when who
    top best biggest big small latest news daily weekly update updated exclusive breaking opinion
    interview podcast video watch meet here these this that those with without from for into onto
    upon within across amid after before during via per about against between among under
    """.split()
)

VOCABULARY = frozenset(STOP_WORDS) | COMMON_WORDS | DESCRIPTORS | NATIONALITIES

# Corporate suffixes a name may end with ("Olin Corp", "Reebok International Ltd").
CORPORATE_SUFFIXES = frozenset(
    "inc inc. corp corp. corporation co co. ltd ltd. llc plc ag sa nv bv gmbh pte holdings group".split()
)

# Words after which a name run cannot continue backwards: a preposition before a capitalised word
# makes it an object ("in India"), not the subject.
PREPOSITIONS = frozenset(
    "in into to for from with at on by of as via about over under after before amid across onto upon".split()
)

# Capitalised words that end many company names ("Gobi Partners", "Siloam Hospitals Group"): after a
# name word they stay part of the name even where they are also everyday words.
NAME_TAILS = frozenset(
    """
    partners capital ventures venture group holdings labs lab bank technologies technology tech systems
    networks network media foundation exchange insurance health digital solutions services securities
    investments investment asset management fund associates international global industries corp inc
    co ltd llc plc company corporation motors airlines airways energy pharma pharmaceuticals therapeutics
    robotics studios games entertainment ai analytics software financial finance payments pay bio
    """.split()
)
