"""The data behind ingest/countries.py: names, short forms, demonyms and capitals.

Pure data, kept apart so the matching rules in countries.py read on their own.
"""

# canonical | other names and short forms | demonyms (*: also an ethnic group) | capitals and metonyms
TABLE = """
Albania||Albanian*|Tirana
Andorra||Andorran|Andorra la Vella
Armenia||Armenian*|Yerevan
Austria||Austrian|Vienna
Azerbaijan||Azerbaijani,Azeri|Baku
Belarus|Byelorussia|Belarusian,Belarussian|Minsk
Belgium||Belgian|
Bosnia and Herzegovina|BiH,B&H,Bosnia,Herzegovina,Bosnia-Herzegovina,Bosnia & Herzegovina|Bosnian,Bosniak*|\
Sarajevo,Republika Srpska,Srpska,Banja Luka
Bulgaria||Bulgarian|Sofia
Croatia||Croatian,Croat*|Zagreb
Cyprus||Cypriot|Nicosia
Czechia|Czech Republic|Czech|Prague
Denmark||Danish,Dane|Copenhagen
Estonia||Estonian|Tallinn
Finland||Finnish,Finn|Helsinki
France||French|Paris,Élysée,Elysee
Georgia||Georgian|Tbilisi
Germany||German|Berlin
Greece|Hellenic Republic|Greek*|Athens
Hungary||Hungarian*|Budapest
Iceland||Icelandic,Icelander|Reykjavik,Reykjavík
Ireland|Eire,Éire,Republic of Ireland|Irish|Dublin
Italy||Italian|Rome
Kosovo|Kosova,Republic of Kosovo|Kosovar,Kosovan|Pristina,Prishtina,Priština,Prishtinë
Latvia||Latvian|Riga
Liechtenstein||Liechtensteiner|Vaduz
Lithuania||Lithuanian|Vilnius
Luxembourg||Luxembourgish,Luxembourger|
Malta||Maltese|Valletta
Moldova||Moldovan|Chisinau,Chișinău
Monaco||Monegasque,Monégasque|
Montenegro|Crna Gora|Montenegrin|Podgorica
Netherlands|Holland|Dutch|Amsterdam
North Macedonia|Macedonia,FYROM,Former Yugoslav Republic of Macedonia,Republic of Macedonia|\
North Macedonian,Macedonian|Skopje
Norway||Norwegian|Oslo
Poland||Polish,Pole|Warsaw
Portugal||Portuguese|Lisbon
Romania||Romanian|Bucharest
Russia|Russian Federation|Russian|Moscow,Kremlin
San Marino||Sammarinese|
Serbia|Republic of Serbia|Serbian,Serb*|Belgrade
Slovakia|Slovak Republic|Slovak,Slovakian|Bratislava
Slovenia||Slovenian,Slovene|Ljubljana
Spain||Spanish,Spaniard|Madrid
Sweden||Swedish,Swede|Stockholm
Switzerland||Swiss|Bern,Berne
Turkey|Türkiye,Turkiye,Republic of Turkey|Turkish,Turk*|Ankara
Ukraine||Ukrainian|Kyiv,Kiev
United Kingdom|UK,U.K.,Britain,Great Britain|British,Brit,Briton,Scottish,Welsh,Northern Irish|\
London,Westminster,Whitehall,Downing Street,England,Scotland,Wales,Northern Ireland
Vatican City|Holy See,Vatican,Vatican City State||
Argentina||Argentine,Argentinian|Buenos Aires
Australia||Australian|Canberra
Brazil||Brazilian|Brasília,Brasilia
Canada||Canadian|Ottawa
China|PRC,People's Republic of China,Mainland China|Chinese|Beijing
India||Indian|New Delhi,Delhi
Indonesia||Indonesian|Jakarta
Japan||Japanese|Tokyo
Mexico||Mexican|Mexico City
Saudi Arabia|KSA|Saudi|Riyadh
South Africa||South African|Pretoria
South Korea|Republic of Korea,ROK|South Korean|Seoul
United States|US,U.S.,USA,U.S.A.,America,United States of America|American|\
Washington,White House,Pentagon
Afghanistan||Afghan|Kabul
Algeria||Algerian|Algiers
Bangladesh||Bangladeshi|Dhaka
Chad||Chadian|N'Djamena
Colombia||Colombian|Bogotá,Bogota
Côte d'Ivoire|Ivory Coast|Ivorian|Yamoussoukro
Cuba||Cuban|Havana
Democratic Republic of the Congo|DRC,DR Congo,Congo-Kinshasa||Kinshasa
Egypt||Egyptian|Cairo
Ethiopia||Ethiopian|Addis Ababa
Iran|Persia|Iranian,Persian|Tehran
Iraq||Iraqi|Baghdad
Israel||Israeli|
Jordan||Jordanian|Amman
Kazakhstan||Kazakh,Kazakhstani|Astana
Kenya||Kenyan|Nairobi
Lebanon||Lebanese|Beirut
Libya||Libyan|Tripoli
Malaysia||Malaysian|Kuala Lumpur
Morocco||Moroccan|Rabat
Myanmar|Burma|Burmese|Naypyidaw
New Zealand||New Zealander|
Nigeria||Nigerian|Abuja
North Korea|DPRK|North Korean|Pyongyang
Pakistan||Pakistani|Islamabad
Palestine||Palestinian|
Philippines||Filipino,Philippine|Manila
Qatar||Qatari|Doha
Republic of the Congo|Congo-Brazzaville||Brazzaville
Syria||Syrian|Damascus
Taiwan|Chinese Taipei,Republic of China,ROC|Taiwanese|Taipei
Thailand||Thai|Bangkok
United Arab Emirates|UAE,Emirates|Emirati|Abu Dhabi
Uzbekistan||Uzbek|Tashkent
Venezuela||Venezuelan|Caracas
Vietnam|Viet Nam|Vietnamese|Hanoi
Yemen||Yemeni|Sanaa
"""
# pycountry names that read badly in a list of countries
CANONICAL = {"RU": "Russia", "TR": "Turkey", "PS": "Palestine", "CG": "Republic of the Congo",
              "BN": "Brunei", "VA": "Vatican City", "BQ": "Caribbean Netherlands"}
# Consumed as a unit and dropped: they contain a country word but do not name the country.
NOT_COUNTRIES = ("Latin America", "Latin American", "South America", "South American", "North America",
                  "North American", "Central America", "Central American", "New Mexico", "New Jersey",
                  "New England", "New South Wales", "Indian Ocean", "West Indies", "West Indian",
                  "Persian Gulf", "North Pole", "South Pole", "Washington State", "New Guinea",
                  "South China Sea", "East China Sea")
