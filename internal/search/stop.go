package search

// Stop words are left out of the index and out of queries: they are in
// nearly every ticket and would only make the index larger. The lists
// hold folded forms (lower case, ё as е, apostrophes dropped); Latvian
// words are listed with and without diacritics. Greetings and thanks are
// stop words too: every ticket has them.
var stopWords = map[Lang]map[string]bool{
	English: setOf(`a about above after again against all am an and any are as at be because been before being
		below between both but by can cannot cant could couldnt did didnt do does doesnt doing dont down during each
		few for from further had hadnt has hasnt have havent having he her here hers herself him himself his how i
		if in into is isnt it its itself just me more most my myself no nor not now of off on once only or other
		our ours ourselves out over own same she should shouldnt so some such than that the their theirs them
		themselves then there these they this those through to too under until up very was wasnt we were werent
		what when where which while who whom why will with wont would wouldnt you your yours yourself yourselves
		im ive id hello hi dear thanks thank please regards kind best`),
	Russian: setOf(`и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
		было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь
		опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
		чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь
		этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть
		после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой
		перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это наш наши ваш ваша
		здравствуйте привет спасибо пожалуйста добрый уважением`),
	Latvian: setOf(`un ir ar nav vai es tu viņš vins viņa vina mēs mes jūs jus viņi vini man tev mums jums uz no par
		pie pa līdz lidz bez pēc pec ka kā kas kur kad ja jā ari arī bet jo lai tas tā ta šis sis šī si tie tās tas
		to tos būt but esmu esam bija būs bus tiek tika ne nē ne vēl vel jau tikai ļoti loti te tur šeit seit tad
		tagad mans mana savs sava mūsu musu jūsu jusu labdien sveiki paldies lūdzu ludzu cieņu cienu`),
}

// technicalStopWords are stop words whatever the language: the pieces of
// every link.
var technicalStopWords = setOf(`http https www`)

// isStopWord reports whether a folded word of the language is a stop
// word. A Latin word is checked against both Latin languages: which one a
// short word belongs to is a guess, and either way it is noise.
func isStopWord(lang Lang, w string) bool {
	switch {
	case technicalStopWords[w]:
		return true
	case lang == English || lang == Latvian:
		return stopWords[English][w] || stopWords[Latvian][w]
	}
	return stopWords[lang][w]
}
