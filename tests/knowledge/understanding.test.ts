// Mechanisms of question reading (src/knowledge/understand.ts), each checked with questions of our own,
// written from data/ in a desk editor's words: none of them is in the evaluation sets.
import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/core/render-text.ts';
import { testBot, TEST_CALLER } from '../helpers/bot.ts';

const bot = await testBot();

/** What a question is read as, judged on the English answer (a French or German question is otherwise answered in its language). */
async function ask(question: string): Promise<{ answered: boolean; text: string; lead: string }> {
  const r = await bot.run('ask', { question, lang: 'en' }, TEST_CALLER);
  return { answered: r.answered, text: renderText(r), lead: r.body.split('\n')[0]! };
}

describe('what the words of a question cover', () => {
  it('a phrase with two readings is one thing: either reading covers it', async () => {
    // "Niamey airport" is the air base and the German site beside it.
    const r = await ask('were there explosions at niamey airport?');
    expect(r.lead).toMatch(/^Yes\. 29 January 2026/);
  });

  it('an office is covered by any of its English names, whatever language it was asked in', async () => {
    for (const q of ['Wurde Tiani als Präsident vereidigt?', 'Tiani a-t-il été investi président ?']) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^Yes\. 26 March 2025/);
    }
  });
});

describe('where-questions', () => {
  it('about an office holder ask where they went, not who held the office', async () => {
    for (const q of ['where did the french ambassador fly to?', 'Wohin flog der französische Botschafter?', 'Où l’ambassadeur de France est-il allé ?']) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/N'Djamena/);
    }
  });

  it('about something that happened, said by a word events use, are answered by that event', async () => {
    const r = await ask('where did the first french convoy go?');
    expect(r.text).toMatch(/Chad/);
  });
});

describe('small words', () => {
  it('"countries" names nothing the answer must cover', async () => {
    const r = await ask('did the AES countries sign a confederation treaty?');
    expect(r.lead).toMatch(/^Yes\. 6 July 2024/);
  });
});

describe('reported speech', () => {
  it('the speaker is the one named before the verb, by a word of their name that is not a small word', async () => {
    // "The ministry said" is the French ministry's statement, not the junta's ("the junta").
    const r = await ask('what did the junta say about french troops?');
    expect(r.text).toMatch(/Junta demands withdrawal of French soldiers/);
  });

  it('an opinion word inside reported speech is no request for an opinion', async () => {
    const r = await ask('Wie lange sollte der Übergang laut Tiani dauern?');
    expect(r.text).toMatch(/three years/);
  });
});

describe('verbs and their particles', () => {
  it('a German particle at the end of the clause is read with its verb', async () => {
    const r = await ask('Wann trat Niger aus der ECOWAS aus?');
    expect(r.lead).toMatch(/^29 January 2025/);
  });

  it('an English particle after the object is read with its verb', async () => {
    const r = await ask('when did the americans pull the last of their people out of agadez?');
    expect(r.lead).toMatch(/^5 August 2024/);
  });

  it('a phrase without its particle is not the phrase: "treten" is no "treten aus"', async () => {
    // "zurückgetreten" is resigning, not a compound ending in a word for leaving.
    const r = await ask('Ist Bazoum zurückgetreten?');
    expect(r.lead).toMatch(/^No\./);
    expect(r.text).toMatch(/has not resigned/);
  });

  it('German words for ending, lifting and the oath of office', async () => {
    expect((await ask('Wann endete die Operation Barkhane?')).lead).toMatch(/^9 November 2022/);
    expect((await ask('Wurde die Immunität von Bazoum aufgehoben?')).lead).toMatch(/^Yes\. 14 June 2024/);
    expect((await ask('Wann hat Tiani den Amtseid abgelegt?')).lead).toMatch(/^26 March 2025/);
  });
});

describe('phrases of concepts', () => {
  it('keep their small words: "in force" is no word for troops', async () => {
    const r = await ask('Are ECOWAS sanctions still in force?');
    expect(r.text).not.toMatch(/troop figures/);
    expect(r.lead).toMatch(/^No\. 24 February 2024/);
  });

  it('a German compound of a troops word and another concept is that concept', async () => {
    const r = await ask('Hat die ECOWAS mit einer Militärintervention gedroht?');
    expect(r.lead).toMatch(/^Yes\. 30 July 2023/);
  });
});

describe('whether a state still holds', () => {
  it('no, when a newer event ended it (an exit ends a membership, a closure "open", a suspension a membership)', async () => {
    expect((await ask('Is Niger still part of the African Union?')).lead).toMatch(/^No\. 14 August 2023/);
    expect((await ask('Ist die französische Botschaft noch geöffnet?')).lead).toMatch(/^No\. 2 January 2024/);
    expect((await ask('Est-ce que le Niger est toujours membre de la CEDEAO ?')).lead).toMatch(/^No\. 29 January 2025/);
    expect((await ask('Is the defence agreement with France still valid?')).lead).toMatch(/^No\. 3 August 2023/);
  });

  it('yes, when the newest event says it holds', async () => {
    expect((await ask('Is the embassy still closed?')).lead).toMatch(/^Yes\. 2 January 2024/);
  });

  it('a past question about the state is about the event: "did ECOWAS impose sanctions?" is yes', async () => {
    expect((await ask('did ecowas impose sanctions on niger?')).lead).toMatch(/^Yes\. 30 July 2023/);
  });

  it('no to what would have ended it, when the newest record says it holds', async () => {
    for (const q of ['Has Bazoum been freed?', 'Wurde Bazoum freigelassen?', 'Bazoum a-t-il été libéré ?']) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 23 July 2025/);
    }
  });

  it('no, when the person’s own record says they did not do it', async () => {
    const r = await ask('Did Bazoum step down?');
    expect(r.lead).toMatch(/^No\./);
    expect(r.text).toMatch(/has not resigned/);
    // Nothing on record either way: no answer.
    expect((await ask('Did Zeine resign?')).answered).toBe(false);
  });
});

describe('yes/no about forces at a place', () => {
  it('yes when the place’s figures or sourced summary put the country’s forces there', async () => {
    expect((await ask('Were there German soldiers at the Niamey air base?')).lead).toMatch(/^Yes\./);
    expect((await ask('Y avait-il des soldats américains à Agadez ?')).lead).toMatch(/^Yes\./);
  });

  it('no answer from the place when it does not say, or when the question asks about now', async () => {
    expect((await ask('Were US troops at Ouallam?')).lead).not.toMatch(/^Yes/);
    expect((await ask('Are French troops at Ouallam?')).lead).not.toMatch(/^Yes/);
  });
});

describe('the event that answers for the whole country', () => {
  it('is preferred to one whose title is about a place the question does not name', async () => {
    expect((await ask('did the US leave Niger?')).lead).toMatch(/^Yes\. 15 September 2024/);
    expect((await ask('Wann sind die letzten US-Truppen aus dem Niger abgezogen?')).lead).toMatch(/^15 September 2024/);
    // The place named is the one answered for.
    expect((await ask('did the us leave air base 201?')).lead).toMatch(/^Yes\. 5 August 2024/);
    // The capital stands for the country.
    expect((await ask('when did the french ambassador leave?')).lead).toMatch(/^27 September 2023/);
  });

  it('a question about what an office holder did is about the event, not who held the office', async () => {
    const r = await ask('how long after the coup did the french ambassador leave?');
    expect(r.text).not.toMatch(/no sourced holder/);
  });
});

describe('what someone said', () => {
  it('speech is found by whole phrases: "according to" is speech, "to" alone is not', async () => {
    // Tiani's words are his TV speech, not his swearing-in ("… for a five-year transition").
    const r = await ask('what has tiani said?');
    expect(r.text).toMatch(/three years/);
  });

  it('words that only frame a question mean nothing else: "tell me" is no speech, "sagen Sie mir" no quote', async () => {
    expect((await ask('can you tell me who rules niger?')).text).toMatch(/Tiani/);
    expect((await ask('Können Sie mir sagen, wer Niger regiert?')).text).toMatch(/Tiani/);
    expect((await ask('tell me when the ambassador left')).lead).toMatch(/^27 September 2023/);
  });

  it('"tell" and "write" are speech', async () => {
    expect((await ask('what did Itté tell his staff?')).text).toMatch(/close indefinitely/);
  });

  it('a joint statement is found by the word in any language', async () => {
    for (const q of ['Que dit le communiqué conjoint américano-nigérien ?', 'was stand in der gemeinsamen erklärung der USA und nigers vom mai 2024?']) {
      expect((await ask(q)).text, q).toMatch(/15 September 2024/);
    }
  });
});

describe('where it was said', () => {
  it('on television, in any of the languages', async () => {
    for (const q of ['Was verkündete Tiani im Fernsehen?', 'Qu’a dit Tiani à la télévision ?', 'what did tiani announce on TV?']) {
      expect((await ask(q)).text, q).toMatch(/three years/);
    }
  });
});

describe('declining', () => {
  it('a question about the next one of something asks for a prediction', async () => {
    for (const q of ['when is the next ecowas summit?', 'Wann ist der nächste Gipfel?', 'Quand aura lieu le prochain sommet ?']) {
      expect((await ask(q)).answered, q).toBe(false);
    }
    // "next to" is where something is, not the future.
    expect((await ask('which airport is air base 101 next to?')).text).toMatch(/Diori Hamani/);
  });

  it('an arrival is not a landing convoy: no event, no answer', async () => {
    expect((await ask('when did the french arrive in niger?')).answered).toBe(false);
  });
});

describe('named spans and comparisons', () => {
  it('a span named by other words than its name is answered by its end: leaving is done when the last left', async () => {
    expect((await ask('when did the americans leave?')).lead).toMatch(/^15 September 2024/);
    expect((await ask('Did the Americans leave before the French?')).lead).toMatch(/^No\. Last French troops leave Niger \(22 December 2023\)/);
  });

  it('the side of a comparison with no verb takes the other side’s, not its troops', async () => {
    const r = await ask('L’ambassadeur est-il parti avant les soldats ?');
    expect(r.lead).toMatch(/^Yes\. French ambassador leaves Niamey \(27 September 2023\)/);
  });
});

describe('words with two senses', () => {
  it('"partis politiques" are parties, not people who left; dissolving, handing over and suspending in three languages', async () => {
    expect((await ask('Quand les partis politiques ont-ils été dissous ?')).lead).toMatch(/^26 March 2025/);
    expect((await ask('Wann wurden die politischen Parteien aufgelöst?')).lead).toMatch(/^26 March 2025/);
    expect((await ask('Quand les soldats français sont-ils partis ?')).lead).toMatch(/^22 December 2023/);
    expect((await ask('Wann wurde die Basis übergeben?')).lead).toMatch(/^22 December 2023/);
    expect((await ask('Wann wurde die Verfassung außer Kraft gesetzt?')).lead).toMatch(/^28 July 2023/);
  });
});

describe('why-questions', () => {
  it('are answered by an event whose sourced summary gives its reason, in any language', async () => {
    for (const q of ['why did ecowas lift the sanctions?', 'Pourquoi la CEDEAO a-t-elle levé les sanctions ?']) {
      expect((await ask(q)).text, q).toMatch(/humanitarian grounds/);
    }
  });

  it('and declined when the record gives none', async () => {
    expect((await ask('why did tiani overthrow bazoum?')).answered).toBe(false);
    expect((await ask('why did the junta close the airspace?')).answered).toBe(false);
  });
});

describe('questions in several clauses', () => {
  it('a clause that names no country of its own takes the one before, even one written only in capitals', async () => {
    const r = await ask('how many US troops were in niger in september 2023 and how many were left in august 2024?');
    expect(r.text).toMatch(/US troops in Niger — September 2023/);
    expect(r.text).toMatch(/US troops in Niger — August 2024/);
    expect(r.text).not.toMatch(/French troops/);
  });

  it('a clause with a subject of its own keeps it, and is not read with the first clause’s person', async () => {
    const r = await ask('when did macron announce the withdrawal and when did the last french soldier leave?');
    expect(r.text).toMatch(/24 September 2023/);
    expect(r.text).toMatch(/22 December 2023/);
  });

  it('a second question after a comma or a question mark is answered too', async () => {
    for (const q of ['when did the french troops leave, how many are there now?', 'when did the french troops leave? how many are there now?']) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/22 December 2023/);
      expect(r.text, q).toMatch(/French troops in Niger — now/);
    }
  });
});

describe('lengths of time and counted things named first', () => {
  it('a length of time ("60 mois", "48 hours") is not read as a date', async () => {
    const r = await ask('quand la conférence nationale a-t-elle recommandé une transition de 60 mois ?');
    expect(r.answered).toBe(true);
    expect(r.text).toMatch(/February 2025/);
    const en = await ask('how long was the transition the national conference recommended, 60 months?');
    expect(en.text).not.toMatch(/future/);
  });

  it('what is counted may come before "how many", and the inversion after it asks no yes or no', async () => {
    const r = await ask('et les allemands, combien sont-ils encore au niger aujourd’hui ?');
    expect(r.text).toMatch(/German troops in Niger — now/);
    expect(r.lead).not.toMatch(/^(Yes|No)\./);
  });

  it('a date before a comma belongs to the question after it', async () => {
    const r = await ask('il y a 2 ans, combien de soldats américains au Niger ?');
    expect(r.text).toMatch(/US troops in Niger — November 2024/);
  });
});

describe('questions about a person', () => {
  it('are answered with who they are only when their record says what is asked', async () => {
    expect((await ask('where was bazoum born?')).answered).toBe(false);
    expect((await ask('Welche Partei hat Bazoum gegründet?')).answered).toBe(false);
    const born = await ask('tiani born');
    expect(born.answered).toBe(true);
    expect(born.text).toMatch(/1964/);
  });

  it('a phrase that only frames the question ("remind me") asks nothing of its own', async () => {
    const r = await ask('remind me who ouhoumoudou mahamadou is');
    expect(r.answered).toBe(true);
    expect(r.text).toMatch(/Ouhoumoudou Mahamadou/);
  });
});

describe('names the knowledge base does not know', () => {
  it('an acronym or capitalised name no entry uses is declined, not answered with what else the question names', async () => {
    const r = await ask('did the AES countries pull out of the ICC?');
    expect(r.answered).toBe(false);
    expect(r.text).toMatch(/“ICC”/);
  });

  it('a German noun is no unknown name for its capital letter alone', async () => {
    const r = await ask('Wann ist Niger aus der ECOWAS ausgetreten?');
    expect(r.answered).toBe(true);
  });
});

describe('a date given by an event', () => {
  it('is the event the words describe even when the asked country is not part of it', async () => {
    const r = await ask('how many french troops were in niger when the junta took over');
    expect(r.text).toMatch(/French troops in Niger — 26 July 2023/);
  });
});

describe('an event dated by a named moment', () => {
  it('"X after the coup" asks for X, among the events after the coup', async () => {
    for (const q of ['when did niger shut its airspace after the coup', 'quand le Niger a-t-il fermé son espace aérien après le putsch ?']) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^6 August 2023/);
    }
  });
});

describe('country codes in lower case', () => {
  it('name the country before a word for troops where they are no small word of the language', async () => {
    expect((await ask('gibt es noch us-truppen im niger')).text).toMatch(/US troops in Niger/);
    expect((await ask('combien de militaires au niger ?')).text).not.toMatch(/German troops/);
  });
});

describe('yes or no on troops over a period', () => {
  it('there were troops in a period if any figure in force during it is above zero', async () => {
    expect((await ask('Waren im Sommer 2024 noch deutsche Soldaten im Niger?')).lead).toMatch(/^Yes\./);
    expect((await ask('were there still french troops in niger in 2024?')).lead).toMatch(/^No\./);
  });

  it('whether they had all left is the figure at the period’s end', async () => {
    expect((await ask('had france withdrawn all its troops from niger by the end of 2023?')).lead).toMatch(/^Yes\./);
  });
});

describe('which came first', () => {
  it('"which came first" opens the question; the sides are split at "or", and saying is a side’s verb', async () => {
    const r = await ask('which came first, the AES charter or macron saying the troops would go');
    expect(r.text).toMatch(/16 September 2023/);
    expect(r.text).toMatch(/24 September 2023/);
  });

  it('a verb phrase is not its last word alone ("let go" is no "go")', async () => {
    const r = await ask('where did the french troops go from ouallam?');
    expect(r.text).not.toMatch(/releas|freed/i);
  });
});

describe('a clause that does "the same"', () => {
  it('takes the first clause’s verb', async () => {
    const r = await ask('when did mali end its defence deals with france, and when did burkina faso do the same');
    expect(r.text).toMatch(/2 May 2022/);
    expect(r.text).toMatch(/18 January 2023/);
  });
});

describe("why-questions: the lexicon's causes", () => {
  it('a withdrawal is explained by what the lexicon says leads to one: the end of the agreements, in Niger, about the troops', async () => {
    const us = await ask('why did the us have to pull its troops out of niger');
    expect(us.lead).toMatch(/^16 March 2024/);
    const fr = await ask('why did france pull its troops out of niger?');
    expect(fr.lead).toMatch(/^3 August 2023/);
    expect(fr.text).not.toMatch(/Burkina/);
  });

  it('a statement is a reason only when its own words say what happened, not where it was quoted', async () => {
    const r = await ask('why did france pull its troops out of niger?');
    expect(r.text).not.toMatch(/at the request of the Nigerien authorities/);
  });

  it('an event whose summary says what it followed gives its reason', async () => {
    const r = await ask('Warum haben sich die Beziehungen zwischen Paris und Niamey verschlechtert?');
    expect(r.text).toMatch(/ousted president/);
  });
});

describe("the end of a happening is its completion (the lexicon's ofHappening)", () => {
  it('"end" of a withdrawal asks when it was completed, in any language', async () => {
    for (const q of ['when did the US withdrawal end?', 'fin du retrait des Américains ?', 'Wann endete der Abzug der Amerikaner?']) {
      expect((await ask(q)).lead, q).toMatch(/^15 September 2024/);
    }
  });

  it('"end" of an agreement is still its revocation', async () => {
    expect((await ask('when did niger end the status-of-forces agreement with the US?')).lead).toMatch(/^16 March 2024/);
  });

  it('each part of a comparison keeps its own reading: the end of Sabre is not a completion because a coup is named', async () => {
    const r = await ask('which came first: the end of Operation Sabre in Burkina Faso or the coup in Niger?');
    expect(r.text).toMatch(/18 February 2023/);
    expect(r.text).toMatch(/26 July 2023/);
  });
});

describe('a person\'s time in office as the date: "under Bazoum", "when Bazoum was president"', () => {
  it('"under" (sous, unter) before a person asks about their term, in their highest office', async () => {
    for (const q of ['who was prime minister under Bazoum?', 'qui était Premier ministre sous Bazoum ?', 'Wer war Premierminister unter Präsident Bazoum?']) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/Ouhoumoudou Mahamadou was prime minister/);
      expect(r.text, q).toMatch(/3 April 2021 – 25 July 2023/);
    }
  });

  it('"when X was <office>" is their term in that office', async () => {
    const r = await ask('who was prime minister when Bazoum was president?');
    expect(r.text).toMatch(/Ouhoumoudou Mahamadou was prime minister/);
    expect(r.text).not.toMatch(/Zeine was/);
  });

  it('a term the sources do not record dates nothing: declined, not answered as of today', async () => {
    // Issoufou was president in the knowledge base, never prime minister.
    expect((await ask('who was president when Issoufou was prime minister?')).answered).toBe(false);
  });

  it('"under" before anything but a person is no date: "under Barkhane" is asked as of now', async () => {
    const r = await ask('how many French troops were in Niger under Barkhane?');
    expect(r.text).toMatch(/French troops in Niger — now/);
  });
});

describe('the future tense by its ending (lexicon futureEndings)', () => {
  it('a French verb in the future asks for a prediction, whatever the verb', async () => {
    for (const q of ['Les soldats français reviendront-ils au Niger ?', "L'armée française reviendra-t-elle un jour ?"]) {
      const r = await ask(q);
      expect(r.answered, q).toBe(false);
      expect(r.text, q).toMatch(/no predictions/);
    }
  });

  it('the past is not read as the future', async () => {
    expect((await ask('Quand les Français sont-ils partis ?')).answered).toBe(true);
  });
});

describe('a state as of a past period ("was the embassy open in March 2024?")', () => {
  it('is No when what ended it came before the period', async () => {
    for (const q of ['was the French embassy open in March 2024?', "l'ambassade de France était-elle encore ouverte en mars 2024 ?"]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 2 January 2024/);
    }
    expect((await ask('Was Niger still a member of ECOWAS in February 2025?')).lead).toMatch(/^No\. 29 January 2025/);
  });

  it('is Yes with "still" when it ended only after, shown by the first end after the period', async () => {
    expect((await ask('was the French embassy still open in October 2023?')).lead).toMatch(/^Yes\. 19 December 2023/);
  });

  it('without "still", an end after the period proves nothing about the state before: declined', async () => {
    expect((await ask('was the French embassy open in October 2023?')).answered).toBe(false);
  });

  it('an end within the period makes it depend on the day: declined, not guessed', async () => {
    expect((await ask('was the French embassy open in January 2024?')).answered).toBe(false);
  });
});

describe('French inversion by hyphen ("était-elle") asks yes or no', () => {
  it('whatever the verb, unless a question word came first', async () => {
    expect((await ask('Les Américains étaient-ils encore au Niger en août 2024 ?')).lead).toMatch(/^Yes\./);
    expect((await ask('Quand les Français sont-ils partis ?')).lead).toMatch(/^22 December 2023/);
  });
});

describe('where-questions answered by an event must say where', () => {
  it('an event whose words name no place is no answer to "where": declined as such', async () => {
    const r = await ask('where did the last French soldiers go?');
    expect(r.answered).toBe(false);
    expect(r.text).toMatch(/don’t say where/);
  });

  it('a place the event names, with an entry or without one ("in Toulon"), answers it', async () => {
    expect((await ask('where did the US move people and equipment to?')).text).toMatch(/Agadez/);
    expect((await ask('where did macron end operation barkhane?')).text).toMatch(/Toulon/);
  });
});

describe('when a state began, not a report that it goes on', () => {
  it('"when was Bazoum detained?" is the coup, not the report that he is still detained', async () => {
    for (const q of ['when was Bazoum detained?', 'quand Bazoum a-t-il été arrêté ?', 'wann wurde Bazoum festgenommen?']) {
      expect((await ask(q)).lead, q).toMatch(/^26 July 2023/);
    }
  });

  it('whether it goes on is still answered by the report', async () => {
    expect((await ask('is Bazoum still detained?')).lead).toMatch(/^Yes\. 23 July 2025/);
  });
});

describe('joining an alliance (lexicon join)', () => {
  it('is signing its founding charter', async () => {
    for (const q of ['when did Niger join the AES?', "quand le Niger a-t-il rejoint l'AES ?", 'Wann trat Niger der AES bei?']) {
      expect((await ask(q)).lead, q).toMatch(/^16 September 2023/);
    }
  });
});

describe('a relation to a date, not to an event ("after 2024")', () => {
  it('is the date: no event is looked for, and no named moment stands in for it', async () => {
    for (const q of ['did Germany keep a presence after 2024?', 'did Germany keep troops in Niger after August 2024?']) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^No\. There were no German troops in Niger after/);
      expect(r.text, q).not.toMatch(/coup/);
    }
  });

  it('a change over such a period is worded without a doubled preposition', async () => {
    expect((await ask('how many US troops were in Niger after March 2024?')).text).toMatch(/changed after March 2024:/);
  });
});

describe('counts at a base ("how many US troops were at Agadez?")', () => {
  it('are what the sources count there, not the national figure of today', async () => {
    const agadez = await ask('how many troops did the US have at Agadez?');
    expect(agadez.text).toMatch(/About 200 US troops/);
    expect(agadez.text).toMatch(/about 200 remained at Agadez/);
    const ouallam = await ask('combien de soldats français à Ouallam ?');
    expect(ouallam.text).toMatch(/400 at Ouallam and Tabarey-Barey/);
  });

  it("the place's own summary counts for the year it names; after the country left, none are there", async () => {
    expect((await ask('how many French soldiers were at Ouallam in 2022?')).text).toMatch(/about 300 Foreign Legion soldiers/);
    expect((await ask('how many French soldiers were at Ouallam in 2024?')).text).toMatch(/There were no French troops in Niger in 2024/);
    // Asked with no date: the count there, and that none are left now.
    expect((await ask('how many troops did the US have at Agadez?')).text).toMatch(/There are no US troops in Niger/);
  });

  it('a number near the base that counts something else there is no count at it: declined', async () => {
    // "766 had left by 7 July (when the withdrawal from Air Base 101 was completed)" counts no one at the base.
    expect((await ask('how many US personnel were at Air Base 101?')).answered).toBe(false);
  });

  it('a base that only dates the question ("before the Agadez repositioning") leaves the national figure asked', async () => {
    expect((await ask('How many US troops were in Niger before the Agadez repositioning in September 2023?')).text).toMatch(/1,100 US troops/);
  });
});

describe('a name without its small words', () => {
  it('keeps the words that mean something: "ministre" alone is no prime minister', async () => {
    expect((await ask('qui est le ministre de la Défense du Niger ?')).answered).toBe(false);
    expect((await ask('qui est le Premier ministre ?')).text).toMatch(/Zeine/);
  });

  it('may leave out articles and Niger itself: "président du Niger" is the head of state', async () => {
    expect((await ask('qui était président en juin 2023 ?')).text).toMatch(/Mohamed Bazoum/);
  });
});

describe('a date must be the happening asked about', () => {
  it('an event beside it (the same country and base, another happening) is no answer to "when"', async () => {
    // No event reopens a US base: moving assets out of Niamey is not it.
    expect((await ask('When did the US reopen its base in Niamey?')).answered).toBe(false);
  });

  it('one of the happenings named is enough: "pull its last troops out" is the completed withdrawal', async () => {
    expect((await ask('When did the US pull its last troops out of Agadez?')).lead).toMatch(/^5 August 2024/);
  });
});

describe('a distance from an event ("two weeks before the last ones left")', () => {
  it('is counted from the event the relation names, not from today', async () => {
    expect((await ask('how many French troops were there two weeks before the last ones left?')).text).toMatch(/8 December 2023/);
    expect((await ask('who ruled three days after the ambassador left')).text).toMatch(/30 September 2023/);
  });
});

describe('a verb and its particle apart, in any form', () => {
  it('"pulling their soldiers out" is "pull out"', async () => {
    expect((await ask('when were the French pulling their soldiers out?')).lead).toMatch(/^22 December 2023/);
  });
});

describe('yes or no at the time of an event ("was X … when Y?", "had X already … when Y?")', () => {
  it('a state at the event\'s date: "was Bazoum still president when the French ambassador left?" is No', async () => {
    expect((await ask('was Bazoum still president when the French ambassador left?')).lead).toMatch(/^No\./);
    expect((await ask('was Tiani already in power when Macron announced the withdrawal?')).lead).toMatch(/^Yes\./);
  });

  it('"already" compares two events, in each language', async () => {
    for (const q of [
      'had Niger already left ECOWAS when the AES confederation was signed?',
      "Le Niger avait-il déjà quitté la CEDEAO quand la confédération de l'AES a été signée ?",
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. AES confederation treaty signed \(6 July 2024\) came before/);
    }
    expect((await ask('had the French already left when the Germans announced their withdrawal?')).lead).toMatch(/^Yes\. Last French troops leave Niger/);
  });
});

describe('a named moment of another country', () => {
  it('"how many GIs were there before they left?" is before the US withdrawal, not the French one "the withdrawal" names', async () => {
    expect((await ask('how many GIs were in Niger before they left?')).text).toMatch(/14 September 2024/);
    expect((await ask('how many French troops were in Niger before the withdrawal?')).text).toMatch(/9 October 2023/);
  });

  it("a moment of no country's own (the coup) stands for every country", async () => {
    expect((await ask('how many US troops were in Niger before the coup?')).text).toMatch(/just before the coup \(25 July 2023\)/);
  });
});

describe('"how many <people> … when <event>"', () => {
  it('counts the troops of the country named, as of the event', async () => {
    expect((await ask('How many Germans were in Niger when the Bundeswehr announced it was leaving?')).text).toMatch(
      /About 100 German troops were in Niger on 6 July 2024/,
    );
  });
});

describe('where-questions: several places, and verbs that are small words elsewhere', () => {
  it('"where are Ouallam and Ayorou?" answers for each', async () => {
    const r = await ask('where are Ouallam and Ayorou?');
    expect(r.text).toMatch(/Ouallam/);
    expect(r.text).toMatch(/Ayorou/);
  });

  it('"land" is an English verb though German "Land" is a small word: "where did the Germans land?" is Wunstorf', async () => {
    expect((await ask('where did the Germans land?')).text).toMatch(/Wunstorf/);
  });
});

describe('"us" in lower case', () => {
  it('names the country before a concept at the start of a short query or after "the"', async () => {
    for (const q of ['us withdrawal', 'when did the us withdrawal end']) expect((await ask(q)).lead, q).toMatch(/^15 September 2024/);
  });
});

describe('holidays are days (lexicon dateWords)', () => {
  it("Christmas, Noël, Weihnachten, New Year's Eve with a year", async () => {
    expect((await ask('What was the French troop level by Christmas 2023?')).text).toMatch(/25 December 2023/);
    expect((await ask('Y avait-il encore des militaires francais au Niger a Noel 2023 ?')).lead).toMatch(/^No\./);
    expect((await ask('Wie viele deutsche Soldaten waren an Weihnachten 2023 im Niger?')).text).toMatch(/120 German troops/);
    expect((await ask("how many US troops on New Year's Eve 2023?")).text).toMatch(/31 December 2023/);
  });
});

describe('still at a place', () => {
  it("a base: no, when an event says that country's forces left it", async () => {
    for (const q of ['are there still US troops at Agadez?', 'Sind in Agadez noch US-Soldaten?', 'Y a-t-il encore des soldats américains à Agadez ?']) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 5 August 2024/);
    }
  });

  it('as of a past period: no after they left, yes before', async () => {
    expect((await ask('were US troops still at Air Base 101 in August 2024?')).lead).toMatch(/^No\. 7 July 2024/);
    expect((await ask('were US troops still at Air Base 101 in June 2024?')).lead).toMatch(/^Yes\. 7 July 2024/);
  });

  it('the capital stands for the country: the national figures answer', async () => {
    expect((await ask('is the Bundeswehr still at Niamey?')).lead).toMatch(/^No\. There are no German troops in Niger/);
  });
});

describe('whether a state ended within a past period', () => {
  it('is No when a later record says it still held and nothing on record ended it', async () => {
    for (const q of ['Was Bazoum released in 2024?', 'Bazoum a-t-il été libéré en 2024 ?']) expect((await ask(q)).lead, q).toMatch(/^No\. 23 July 2025/);
  });

  it('after the newest record, nothing can be said', async () => {
    expect((await ask('was Bazoum released in 2026?')).answered).toBe(false);
  });
});

describe('a day without a year in a question that names one', () => {
  it('takes that year, in any language and with "before" in any of them', async () => {
    for (const q of ['who ruled in 2021 before 2 April?', 'qui dirigeait le Niger en 2021, avant le 2 avril ?', 'Wer regierte 2021 vor dem 2. April?']) {
      expect((await ask(q)).text, q).toMatch(/Mahamadou Issoufou ruled Niger before 2 April 2021/);
    }
  });

  it('German typed without umlauts ("Fruehjahr") reads its date words', async () => {
    expect((await ask('Wer war im Fruehjahr 2021 Praesident des Niger?')).text).toMatch(/spring 2021/);
  });
});

describe('"who said …?" asks for the speaker', () => {
  it('what it names is what was said: "who announced the CNSP?" is not what the CNSP said', async () => {
    expect((await ask('who announced the CNSP on TV?')).text).toMatch(/Amadou Abdramane/);
  });

  it('with no speaker named, the verb of speech finds the event, and a quote must say it in its own words', async () => {
    const r = await ask('who demanded the withdrawal of French troops?');
    expect(r.lead).toMatch(/^5 September 2023: Junta demands withdrawal/);
    expect(r.text).not.toMatch(/Colonna/);
  });

  it('a day named without a year is the one the knowledge base has events on', async () => {
    expect((await ask('what happened on 26 July?')).text).toMatch(/26 July 2023/);
  });
});

describe('a later clause that only says how far it went (lexicon aspect)', () => {
  it('"… and when was it wrapped up?" takes the first clause\'s happening', async () => {
    const r = await ask('when did the French withdrawal start, and when was it wrapped up?');
    expect(r.text).toMatch(/10 October 2023/);
    expect(r.text).toMatch(/22 December 2023/);
  });

  it('"got out" is leaving: "who got out first, the Germans or the Americans?"', async () => {
    const r = await ask('who got out of Niger first, the Germans or the Americans?');
    expect(r.text).toMatch(/30 August 2024/);
    expect(r.text).toMatch(/15 September 2024/);
  });
});

describe('who heads an organisation', () => {
  it('is the office whose title names it, on its first full day — not the body that held an office itself', async () => {
    expect((await ask('who leads the junta?')).text).toMatch(/Abdourahamane Tiani ruled Niger on 29 July 2023/);
    expect((await ask('who led the CSRD?')).text).toMatch(/Salou Djibo/);
  });
});

describe('"still" answered by a departure', () => {
  it('is No: "does France still have an ambassador in Niger?" — he left', async () => {
    expect((await ask('Does France still have an ambassador in Niger?')).lead).toMatch(/^No\. 27 September 2023/);
  });

  it('or by any end: "is the EU mission still in Niger?" — Niger ended the EU missions', async () => {
    expect((await ask('is the EU mission still in Niger?')).lead).toMatch(/^No\. 4 December 2023/);
  });

  it('while "did he leave?" is Yes', async () => {
    expect((await ask('did the French ambassador leave?')).lead).toMatch(/^Yes\. 27 September 2023/);
  });
});

describe('French and German numeric dates and German without umlauts', () => {
  it('03/10/2023 and 3.10.2023 are 3 October in a French or German question', async () => {
    for (const q of ['Combien de soldats français au Niger le 03/10/2023 ?', 'Wie viele französische Soldaten waren am 3.10.2023 im Niger?']) {
      expect((await ask(q)).text, q).toMatch(/3 October 2023/);
    }
  });

  it('"Bundeswehrangehoerige" is "Bundeswehrangehörige": the Bundeswehr\'s people, so Germany\'s troops', async () => {
    expect((await ask('Wie viele Bundeswehrangehoerige waren am 30.08.2024 im Niger?')).text).toMatch(/German troops/);
  });
});

describe('"what happened to X" with no events of its own', () => {
  it('is declined, not answered with every event', async () => {
    expect((await ask('what happened to the Italian mission?')).answered).toBe(false);
    expect((await ask('what happened in Niger in 2024?')).text).toMatch(/Timeline — 2024/);
  });
});

describe('yes/no answered by an event that denies it', () => {
  it('is "No." when the event says the asked thing did not happen', async () => {
    for (const q of ['did france recognise the junta?', 'la france a-t-elle reconnu la junte ?', 'Hat Frankreich die Junta anerkannt?']) {
      expect((await ask(q)).lead, q).toMatch(/^No\./);
    }
  });
});

describe('office holders dated by an event or a person', () => {
  it('what is asked is before the relation: "who was president when Paris announced …" asks who, not what was said', async () => {
    const r = await ask('qui était le président français quand paris a annoncé le retrait de ses troupes du niger');
    expect(r.text).toMatch(/Macron/);
  });

  it('no predecessor is named for a term with no start on record', async () => {
    const r = await ask('wer war vor itté französischer botschafter in niamey');
    expect(r.answered).toBe(false);
    expect(r.text).toMatch(/no start/);
  });

  it('"before Tiani" as president is before his term in that office, not his earlier posts', async () => {
    const r = await ask('who was head of state before tiani');
    expect(r.text).not.toMatch(/2011/);
  });
});

describe('yes/no answered by a person’s own record, or by what ends a state', () => {
  it('is "Yes." when the record says what is asked, and no answer when the question adds a date', async () => {
    expect((await ask('tiani a-t-il été promu général d’armée ?')).lead).toMatch(/^Yes\./);
    expect((await ask('was bazoum elected?')).lead).toMatch(/^Yes\./);
    expect((await ask('was tiani born in 1960?')).lead).not.toMatch(/^Yes\./);
  });

  it('a state asked in the present is ended by what the lexicon says ends it ("allowed" by a suspension or dissolution)', async () => {
    const r = await ask('are political parties still allowed in niger?');
    expect(r.lead).toMatch(/^No\./);
    expect(r.text).toMatch(/26 March 2025/);
  });
});

describe('desk framing', () => {
  it('"tomorrow’s piece" is no date, and a name from a source (the White House) is no unknown name', async () => {
    const r = await ask('for tomorrow’s piece I need the exact date the final French contingent flew out of Niger');
    expect(r.lead).toMatch(/^22 December 2023/);
    const gi = await ask('How many GIs were still in Niger in December 2023, going by the White House letter to Congress?');
    expect(gi.text).toMatch(/648/);
  });

  it('any "how many" of a question may name what is counted ("Headcount check: how many German personnel …")', async () => {
    expect((await ask('Headcount check: how many German personnel were deployed in Niger around December 2023?')).text).toMatch(
      /German troops in Niger — December 2023/,
    );
    expect((await ask('Mit wie vielen Leuten war die Bundeswehr im Sommer 2023 im Niger vertreten?')).text).toMatch(/German troops in Niger/);
  });
});

describe('a relation that leads the question', () => {
  it('dates what its question word asks: "Pendant le retrait…, qui était Premier ministre ?"', async () => {
    for (const q of [
      'Pendant le retrait des troupes francaises, qui etait Premier ministre au Niger ?',
      'during the french withdrawal who was prime minister of niger',
      'Vor dem Putsch, wer war Premierminister?',
    ]) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/Prime minister of Niger|prime minister/i);
      expect(r.text, q).not.toMatch(/not that office in France/);
    }
  });

  it('"When the ambassador left, who ruled?" asks who, in one question', async () => {
    const r = await ask('when the ambassador left, who ruled niger?');
    expect(r.text).toMatch(/Ruler of Niger — 27 September 2023/);
  });
});

describe('words of a French or German question', () => {
  it('are read as English only where English spells them the same ("partie", left, is no "party")', async () => {
    const r = await ask('quand l’armée est-elle partie ?');
    expect(r.text).not.toMatch(/party activity/);
  });
});

describe('a yes/no question about a period', () => {
  it('is no when what it asks happened, but outside the period it names', async () => {
    for (const [q, date] of [
      ['was the coup in 2022?', '26 July 2023'],
      ['did the US withdraw in 2023?', '15 September 2024'],
      ['did ECOWAS lift sanctions in 2023?', '24 February 2024'],
      ['le Niger a-t-il quitté la CEDEAO en 2024 ?', '29 January 2025'],
      ['ist der Niger 2024 aus der ECOWAS ausgetreten?', '29 January 2025'],
    ]) {
      const r = await ask(q!);
      expect(r.lead, q).toMatch(new RegExp(`^No\\. ${date}`));
    }
  });

  it('is yes when it happened within it, and a month without a year is that month of any year', async () => {
    expect((await ask('did the coup happen in july 2023?')).lead).toMatch(/^Yes\. 26 July 2023/);
    expect((await ask('did macron announce the withdrawal in september?')).lead).toMatch(/^Yes\. 24 September 2023/);
    expect((await ask('did macron announce the withdrawal in october?')).lead).toMatch(/^No\. 24 September 2023/);
  });
});

describe('when an organisation was founded', () => {
  it('is the day its own record says, in the words of the question ("set up", "créée", "gegründet")', async () => {
    for (const q of ['when was the junta set up?', 'when was the CNSP created?', 'quand la junte a-t-elle été créée ?', 'wann wurde die Junta gegründet?']) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^26 July 2023/);
    }
  });

  it('is not a charter of later years that shares a word with founding', async () => {
    expect((await ask('when was the CNSP founded?')).text).not.toMatch(/sworn in/);
  });
});

describe('words for ending ties', () => {
  it('"cut military ties" is ending the defence agreements', async () => {
    for (const q of ['when did niger cut military ties with france?', 'quand le Niger a-t-il coupé les liens militaires avec la France ?']) {
      expect((await ask(q)).lead, q).toMatch(/^3 August 2023/);
    }
  });
});

describe('what someone unknown said', () => {
  it('is declined, naming them, rather than answered with the event the rest of the question names', async () => {
    for (const [q, who] of [
      ['what did the pope say about the coup?', 'pope'],
      ['qu’a dit le pape sur le coup d’État ?', 'pape'],
      ['was hat Blinken zum Putsch gesagt?', 'blinken'],
    ]) {
      const r = await ask(q!);
      expect(r.answered, q).toBe(false);
      expect(r.text.toLowerCase(), q).toContain(who);
    }
    expect((await ask('who demanded the withdrawal?')).lead).toMatch(/^5 September 2023/);
  });
});

describe('foreign troops as a whole', () => {
  it('are counted for each country the knowledge base counts, in the three languages', async () => {
    for (const q of ['how many foreign troops are in niger?', 'combien de soldats étrangers au Niger ?', 'wie viele ausländische Soldaten sind im Niger?']) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      for (const country of ['French', 'US', 'German', 'Italian']) expect(r.text, q).toContain(`${country} troops in Niger`);
    }
  });

  it('leave, each country on its own day', async () => {
    const r = await ask('when did the foreign troops leave?');
    for (const date of ['22 December 2023', '30 August 2024', '15 September 2024']) expect(r.text).toContain(date);
  });
});

describe("the troops' own words in an event question", () => {
  it('find nothing when other words say what happened ("US forces" is no "status-of-forces")', async () => {
    expect((await ask('when did US forces withdraw?')).lead).toMatch(/^15 September 2024/);
  });
});

describe('a count at its peak', () => {
  it('is the largest figure, on its own date, not today’s', async () => {
    for (const [q, figure] of [
      ['what was the peak french troop level?', '1,500'],
      ['quel a été le pic des effectifs français ?', '1,500'],
      ['how many troops did the US have at its peak?', '1,100'],
    ]) {
      const r = await ask(q!);
      expect(r.lead, q).toContain(figure);
    }
  });
});

describe("an office of Niger's that only another country's holder has", () => {
  it('is declined, not answered with France’s holder', async () => {
    for (const q of [
      'who is the foreign minister of niger?',
      'qui est le ministre des affaires étrangères du Niger ?',
      'wer ist der Außenminister des Niger?',
    ]) {
      const r = await ask(q);
      expect(r.answered, q).toBe(false);
      expect(r.text, q).not.toMatch(/Foreign Minister of France/);
    }
  });

  it('is not confused with the office whose own words name its country ("the French ambassador to Niger")', async () => {
    expect((await ask('who was the French ambassador to Niger?')).text).toMatch(/Itté/);
    expect((await ask('who is the foreign minister?')).text).toMatch(/Colonna/);
  });
});

describe('who headed an organisation', () => {
  it('is the term whose title names it by any of its names ("the presidential guard")', async () => {
    expect((await ask('who led the presidential guard?')).text).toMatch(/Commander of Niger's presidential guard/);
  });
});

describe('a topic typed alone', () => {
  it('is answered with the events that say it, not declined', async () => {
    for (const [q, title] of [
      ['sanctions', /sanctions/i],
      ['airspace', /airspace/i],
      ['uranium', /SOMAÏR/],
    ] as const) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.lead, q).toMatch(title);
    }
  });

  it('is still declined when it names nothing the knowledge base has', async () => {
    expect((await ask('weather')).answered).toBe(false);
  });
});

describe('a state as of a past period, and ends announced or set for later', () => {
  it('holds through an end that was only announced, or set for a later year', async () => {
    for (const q of [
      'was niger still a member of ecowas in 2024?',
      'en 2024 le niger était-il encore membre de la cedeao',
      'war der Niger 2024 noch Mitglied der ECOWAS?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^Yes\. 29 January 2025/);
    }
    expect((await ask('was niger still a member of ecowas in march 2025?')).lead).toMatch(/^No\. 29 January 2025/);
  });
});

describe('what happened on one side of an event', () => {
  it('is the timeline from the day after it, or up to the day before', async () => {
    for (const q of ['what happened after the US left?', 'was geschah nach dem Abzug der Amerikaner?']) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/16 September 2024 – now/);
      expect(r.text, q).not.toMatch(/7 July 2024/);
    }
    const before = await ask('what happened before the ambassador left?');
    expect(before.text).not.toMatch(/22 December 2023/);
    expect(before.text).toMatch(/the start – 26 September 2023/);
  });
});

describe('"left" in a yes/no question about troops', () => {
  it('is the departure after a country or before a place ("has Germany left Niger?"), what remains elsewhere', async () => {
    expect((await ask('has germany left niger?')).lead).toMatch(/^Yes\./);
    expect((await ask('have the french left niger?')).lead).toMatch(/^Yes\./);
    expect((await ask('are there any french soldiers left?')).lead).toMatch(/^No\./);
  });
});

describe('a threat is not what it threatens', () => {
  it('"did ECOWAS invade Niger?" is not answered yes by its ultimatum', async () => {
    expect((await ask('did ecowas invade niger?')).lead).not.toMatch(/^Yes/);
    expect((await ask('did ecowas threaten to intervene?')).lead).toMatch(/^Yes\. 30 July 2023/);
  });
});

describe('whether a country withdrew, with no event saying so', () => {
  it('is said by its troop figures', async () => {
    for (const q of ['did italy withdraw?', 'l’Italie s’est-elle retirée ?', 'hat Italien seine Truppen abgezogen?']) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^No\. The newest sourced figure is 250 Italian troops/);
    }
  });
});

describe('what was recommended is not yet done', () => {
  it('a yes/no about a state is answered by the act, not the recommendation', async () => {
    for (const q of ['has tiani been made army general?', 'Tiani a-t-il été promu général d’armée ?', 'Wurde Tiani zum Armeegeneral befördert?']) {
      expect((await ask(q)).lead, q).toMatch(/^(Yes\. )?26 March 2025/);
    }
  });

  it('unless the question asks what was recommended', async () => {
    expect((await ask('when did the national conference recommend a five-year transition?')).lead).toMatch(/^15 February 2025/);
  });
});

describe('why a task could not be done', () => {
  it('is the sourced reason, in the words of the task and its doing in any language', async () => {
    for (const q of [
      'why could the french army no longer do its job in niger',
      'warum konnten die französischen soldaten ihre aufgabe nicht mehr erfüllen',
      'pourquoi les soldats français ne pouvaient-ils plus accomplir leur tâche ?',
    ]) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.text, q).toMatch(/joint operations/);
    }
  });
});

describe('what someone is or did', () => {
  it('"what was X\'s role", "what do we know about X" are answered by their record, in any language', async () => {
    for (const q of ['what part did abdramane play on 26 july 2023?', 'Quel rôle a joué Abdramane ?', 'was wissen wir über Abdramane?']) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.text, q).toMatch(/announced the CNSP/);
    }
  });

  it('someone it does not know is still declined', async () => {
    expect((await ask('what role did colonel jean dupont play in the coup?')).answered).toBe(false);
  });
});

describe('a claim put to the bot to check', () => {
  it('is the yes/no question it asks; who made the claim is not asked about', async () => {
    for (const q of [
      'a colleague says US troops are still at Agadez. true?',
      'Un collègue affirme que des soldats américains sont toujours à Agadez. C’est vrai ?',
      'Stimmt es, dass noch US-Soldaten in Agadez sind?',
    ]) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.lead, q).toMatch(/^No\./);
    }
  });

  it('the words asking whether it is true count only at its ends', async () => {
    expect((await ask('right after the coup, how many french troops were there?')).text).toMatch(/1,500/);
  });
});

describe('typos', () => {
  it('a real word of the language is not put right into a name or topic', async () => {
    // ("juste" is near the CNSP's "junte", "comptait" near "coûtait", an economy word.)
    const r = await ask('le dernier contingent français est parti juste avant Noël 2023 ?');
    expect(r.answered).toBe(true);
    expect(r.text).toMatch(/22 December 2023/);
  });

  it('but it is when it makes a phrase we know with its neighbour, or is a small word of the question', async () => {
    expect((await ask('who is the prime minster now')).text).toMatch(/Zeine/);
    expect((await ask('wen did the french leave')).text).toMatch(/22 December 2023/);
  });
});

describe('when someone took office, with no event for it', () => {
  it('is said by how their term began', async () => {
    for (const q of ['when did bazoum get sworn in?', 'quand Bazoum a-t-il prêté serment ?']) {
      expect((await ask(q)).text, q).toMatch(/2 April 2021/);
    }
    // How a term ended is told by its event, the coup.
    expect((await ask('when was bazoum ousted?')).lead).toMatch(/^26 July 2023/);
  });
});

describe('how long from one event to another', () => {
  it('gives both dates and the days between, in any language', async () => {
    for (const q of [
      'how much time between the coup and the last french troops leaving?',
      'combien de temps entre le putsch et le départ des derniers soldats français ?',
      'wie viel Zeit zwischen dem Putsch und dem Abzug der letzten französischen Soldaten?',
    ]) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/26 July 2023/);
      expect(r.text, q).toMatch(/22 December 2023/);
      expect(r.text, q).toMatch(/149 days/);
    }
  });
});

describe('the day of an event', () => {
  it('"on the day of the coup", "am Tag des Putsches", "le jour du coup d’État" date a question by the event', async () => {
    for (const q of [
      'how many italian troops on the day of the coup?',
      'Wie viele italienische Soldaten am Tag des Putsches?',
      'combien de soldats italiens le jour du coup d’État ?',
    ]) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/26 July 2023/);
      expect(r.text, q).toMatch(/300/);
    }
  });

  it('a later clause with no date of its own keeps the one before’s', async () => {
    const r = await ask('were there italian soldiers in niger on the day of the coup, and if so how many?');
    expect(r.text).toMatch(/300/);
    expect(r.text).not.toMatch(/\bnow\b/);
  });
});

describe('the language of a question with no small words', () => {
  it('is the one whose words of the lexicon it uses', async () => {
    const r = await ask('Bazoum Vereidigung Datum');
    expect(r.text).toMatch(/2 April 2021/);
    const de = await bot.run('ask', { question: 'Bazoum Vereidigung Datum' }, TEST_CALLER);
    expect(de.lang).toBe('de');
  });
});

describe('when, about a place with no event for it', () => {
  it('is answered by the place’s dated record', async () => {
    for (const q of ['depuis quand la base aérienne 201 était-elle en service ?', 'Seit wann gab es den Stützpunkt 201?']) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.text, q).toMatch(/November 2019/);
    }
  });
});

describe('"still" asked in the present, with a date that says which', () => {
  it('asks about today: the date names the state, not the time asked', async () => {
    expect((await ask('are the sanctions ecowas imposed in july 2023 still in place?')).lead).toMatch(/^No\. 24 February 2024/);
    // In the past tense the date is the time asked.
    expect((await ask('were the ecowas sanctions still in place in september 2023?')).lead).toMatch(/^Yes\./);
  });
});

describe('a state named is the state, not its end', () => {
  it('"when were the ECOWAS sanctions?" is their imposition; asked about the lifting, it is that', async () => {
    expect((await ask('quand ont eu lieu les sanctions de la CEDEAO ?')).lead).toMatch(/^30 July 2023/);
    expect((await ask('wann wurden die ECOWAS-Sanktionen aufgehoben?')).lead).toMatch(/^24 February 2024/);
  });
});

describe('how troop figures changed', () => {
  it('"over time", "évolution", "Entwicklung" ask for every figure, oldest first', async () => {
    for (const q of [
      'how have us troop numbers in niger changed over time?',
      'évolution des effectifs américains au Niger',
      'Entwicklung der amerikanischen Truppen im Niger',
    ]) {
      const r = await bot.run('ask', { question: q, lang: 'en' }, TEST_CALLER);
      expect(r.title, q).toMatch(/every reported figure/);
      expect(r.items.length, q).toBeGreaterThan(2);
    }
  });
});

describe('which came first, with the place said once', () => {
  it('the side that names no place takes the other side’s', async () => {
    const r = await ask('who pulled out of air base 101 first, the americans or the germans?');
    expect(r.text).toMatch(/7 July 2024/);
    expect(r.text).toMatch(/30 August 2024/);
  });
});

describe('who did something', () => {
  it('is not answered by a description of the place, nor by an event that names nobody', async () => {
    for (const q of ['who opened fire at niamey airport?', 'Qui a attaqué l’aéroport de Niamey ?']) {
      expect((await ask(q)).answered, q).toBe(false);
    }
    expect((await ask('who announced the CNSP on television?')).text).toMatch(/Abdramane|26 July 2023/);
  });
});

describe('when, about a person with no event for it', () => {
  it('is answered by their record when it says so, and declined when it does not', async () => {
    for (const q of ['what year was tiani born?', 'Quelle est l’année de naissance de Tiani ?']) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.text, q).toMatch(/1960|1961|1964/);
    }
    expect((await ask('when did tiani visit paris?')).answered).toBe(false);
  });
});

describe('a side of a comparison with no verb', () => {
  it('takes the other side’s country and place with its verb', async () => {
    expect((await ask('did the americans leave agadez before niamey?')).lead).toMatch(/^No\. US forces complete withdrawal from Air Base 101/);
  });
});

describe('a return that nothing records', () => {
  it('is No, from the newest record of the end it would undo', async () => {
    for (const q of ['has niger rejoined ecowas?', 'Ist der Niger der ECOWAS wieder beigetreten?'])
      expect((await ask(q)).lead, q).toMatch(/^No\. 29 January 2025/);
  });
});

describe('whether a body a term names is in power', () => {
  it('is asked of the question’s day, not of the day its term began', async () => {
    expect((await ask('is the junta still in charge?')).text).toMatch(/Ruler of Niger — now/);
    expect((await ask('was the CNSP in power in 2024?')).text).toMatch(/Tiani ruled Niger in 2024/);
  });
});

describe('whether a body no term names ran, or was led', () => {
  it('is no question of who ruled Niger: declined, not answered with the head of state', async () => {
    for (const q of ['Was Barkhane still running in 2021?', 'Lief Takuba 2021 noch?']) {
      const r = await ask(q);
      expect(r.text, q).not.toMatch(/Ruler of Niger|Tiani/);
    }
  });
});

describe('who leads a body no term names', () => {
  it('is declined, not answered with Niger’s head of state', async () => {
    const r = await ask('who leads the AES?');
    expect(r.answered).toBe(false);
    expect(r.text).not.toMatch(/Tiani rules/);
    expect((await ask('who ran the CSRD?')).text).toMatch(/Salou Djibo/);
  });
});

describe('a yes/no question after a lead-in', () => {
  it('that names nothing is still yes/no; one that names the subject asks about it', async () => {
    for (const q of [
      'for our caption: is Tiani still in charge?',
      'kurze Frage: ist Tiani noch an der Macht?',
      'pour la légende – les Français ont-ils quitté le Niger ?',
    ]) {
      const r = await ask(q);
      expect(r.lead, q).toMatch(/^Yes\./);
    }
    // Three words before the colon is a lead-in; a sentence before it is not read as one.
    const long = await ask('we are writing a very long piece about the sahel this week: is Tiani still in charge?');
    expect(long.lead).not.toMatch(/^Yes\./);
    const named = await ask('Ouallam – is that north of Niamey?');
    expect(named.text).toMatch(/north of Niamey/);
  });
});

describe('an office of a person who held another', () => {
  it('is that office during their time: "Bazoum’s prime minister", "le Premier ministre de Bazoum"', async () => {
    for (const q of [
      "Bazoum's prime minister?",
      'who was Bazoum’s last prime minister?',
      'Qui était le Premier ministre de Bazoum ?',
      'Wer war der Premierminister von Bazoum?',
    ]) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/Ouhoumoudou Mahamadou was prime minister/);
    }
    // No prime minister under Issoufou is on record: not today's, whom a reading without the possessive gave.
    const issoufou = await ask("Issoufou's prime minister");
    expect(issoufou.text).not.toMatch(/Zeine is prime minister/);
    // A person's own office is theirs.
    expect((await ask('Itté’s office')).text).toMatch(/Ambassador Itté held/);
  });
});

describe('a yes/no question naming a title', () => {
  it('is yes only if the term then had that title, in each language', async () => {
    for (const q of [
      'was Tiani already president of the republic in 2024?',
      'Tiani était-il déjà président de la République en 2024 ?',
      'War Tiani 2024 schon Präsident der Republik?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. Abdourahamane Tiani ruled Niger in 2024: President of the CNSP/);
    }
    expect((await ask('is Tiani president of the republic now?')).lead).toMatch(/^Yes\./);
    // Words of the office's own names are no title: he was head of state in 2024 under either.
    expect((await ask('was Tiani head of state in 2024?')).lead).toMatch(/^Yes\./);
  });
});

describe('a German verb away from its object', () => {
  it('still names the office the two make: "Führt Zeine noch die Regierung?", "… dass Tiani die Regierung führt"', async () => {
    const zeine = await ask('Führt Zeine 2026 noch die Regierung?');
    expect(zeine.lead).toMatch(/^Yes\. Ali Mahaman Lamine Zeine was prime minister/);
    const tiani = await ask('Stimmt es, dass Tiani die Regierung führt?');
    expect(tiani.lead).toMatch(/^No\. Ali Mahaman Lamine Zeine is prime minister/);
  });
});

describe('the German passive', () => {
  it('"wird" beside a participle is no prediction; "wird" with an infinitive still is', async () => {
    const passive = await ask('Seit wann wird Bazoum festgehalten?');
    expect(passive.text).not.toMatch(/make no predictions/);
    const reported = await ask('Wann hieß es, dass Bazoum weiter festgehalten wird?');
    expect(reported.text).toMatch(/23 July 2025/);
    const future = await ask('Wird Tiani 2027 noch regieren?');
    expect(future.answered).toBe(false);
  });
});

describe('open again', () => {
  it('is reopening in each language: No, from the closure nothing undid', async () => {
    for (const q of [
      'is the french embassy back open?',
      'L’ambassade de France a-t-elle rouvert ses portes ?',
      'Hat die französische Botschaft wieder aufgemacht?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 2 January 2024/);
    }
  });
});

describe('"… or not?"', () => {
  it('is the yes/no before it, in each language; an "or" before something named still weighs two things', async () => {
    for (const q of ['did the french leave or not?', 'Les Français sont-ils partis, ou pas ?', 'Sind die Franzosen abgezogen oder nicht?']) {
      expect((await ask(q)).lead, q).toMatch(/^Yes\./);
    }
    const two = await ask('which came first, the coup or the ECOWAS sanctions?');
    expect(two.text).toMatch(/came before ECOWAS ultimatum and sanctions/);
  });
});

describe('a convoy, in each language', () => {
  it('is the convoy the knowledge base tells of: where the first French one went', async () => {
    for (const q of [
      'Vers quel pays est parti le convoi terrestre en octobre 2023 ?',
      'In welches Land ist der Konvoi auf dem Landweg im Oktober 2023 gefahren?',
      'which country did the overland convoy leave for in october 2023?',
    ]) {
      expect((await ask(q)).text, q).toMatch(/Chad/);
    }
  });
});

describe('an office named by a verb and its object, with words between', () => {
  it('"who headed Niger’s government", "qui dirigeait alors le gouvernement", in any form of the verb', async () => {
    for (const q of ['who headed Niger’s government in September 2024?', 'qui dirigeait alors le gouvernement nigérien en 2024 ?']) {
      expect((await ask(q)).text, q).toMatch(/Zeine was prime minister of Niger/);
    }
    // A name ending in a country is no object: "head of state of Niger" does not swallow "Niger's government".
    expect((await ask('who was head of state in 2024?')).text).toMatch(/Tiani ruled Niger in 2024/);
  });
});

describe('a clause of time put first', () => {
  it('is read as if it followed the question, in each language; a question put first is not moved', async () => {
    for (const q of [
      'when the AES was founded, were French troops still in Niger?',
      'Lorsque l’AES a été fondée, y avait-il encore des soldats français au Niger ?',
      'Als die AES gegründet wurde, waren da noch französische Soldaten im Niger?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^Yes\. About 1,500 French troops were in Niger on 16 September 2023/);
    }
    const government = await ask('In September 2024, when the last US troops left, who headed the government?');
    expect(government.text).toMatch(/Zeine was prime minister/);
    // "As …" opens a clause of time only when put first: read as "when".
    for (const q of [
      'As the last French troops left, who was prime minister?',
      'Alors que les derniers soldats français partaient, qui était Premier ministre ?',
    ]) {
      expect((await ask(q)).text, q).toMatch(/Zeine was prime minister of Niger on 22 December 2023/);
    }
    const asked = await ask('When did the French leave, and why?');
    expect(asked.text).toMatch(/22 December 2023/);
  });
});

describe('who someone is, then a second question', () => {
  it('answers both: who-is needs no verb of the next clause', async () => {
    for (const q of ['who is Amadou Abdramane and when was the coup?', 'Qui est Amadou Abdramane et quand a eu lieu le coup d’État ?']) {
      const r = await ask(q);
      expect(r.text, q).toMatch(/Colonel-major who announced the CNSP/);
      expect(r.text, q).toMatch(/26 July 2023: Coup/);
    }
  });
});

describe('the end of a military presence', () => {
  it('is the day the last troops left, in each language; none recorded, it is declined', async () => {
    for (const q of [
      'when did the French military presence in Niger end?',
      'Wann endete die französische Militärpräsenz im Niger?',
      'quand a pris fin la présence militaire française au Niger ?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^22 December 2023: Last French troops leave Niger/);
    }
    // The day the figure fell to none: the Bundeswehr's last personnel left on 30 August 2024.
    expect((await ask('when did the German troop presence in Niger end?')).lead).toMatch(/^30 August 2024/);
    // Italy's newest figure is 250: no end on record.
    expect((await ask('when did the Italian presence in Niger end?')).answered).toBe(false);
  });
});

describe('how far a named span went', () => {
  it('ended or completed is its last event; begun is its first', async () => {
    for (const q of ['when did the French withdrawal end?', 'Wann endete der französische Abzug?', 'Quand le retrait français s’est-il achevé ?']) {
      expect((await ask(q)).lead, q).toMatch(/^22 December 2023: Last French troops leave Niger/);
    }
    expect((await ask('when did the French withdrawal begin?')).lead).toMatch(/^10 October 2023/);
  });
});

describe('who did something in a period', () => {
  it('is the one event of the period that answers it, not the period’s timeline', async () => {
    const r = await ask('who closed the airspace to French aircraft in September 2023?');
    expect(r.lead).toMatch(/^23 September 2023: Niger's airspace closed to French aircraft/);
    expect(r.text).toMatch(/ASECNA/);
    // Asked what happened, the period's timeline.
    expect((await ask('what happened in September 2023?')).text).toMatch(/Timeline — September 2023/);
  });
});

describe('what someone said, with no quote on record', () => {
  it('is their record when it reports their own words, not what others said of them', async () => {
    for (const q of ['what did Crosetto say about Italy’s soldiers?', 'Qu’a dit Crosetto sur les militaires italiens ?']) {
      expect((await ask(q)).text, q).toMatch(/he said Italy's forces stayed/);
    }
    // Bazoum's record says what Human Rights Watch said of him: no words of his.
    expect((await ask('what did Bazoum say?')).answered).toBe(false);
  });
});

describe('a holder shown in office within days of the day asked', () => {
  it('answers with the day the source gives and how far it is; a month away, the terms on record instead', async () => {
    const r = await ask('who was the army chief on 26 July 2023?');
    expect(r.answered).toBe(true);
    expect(r.lead).toMatch(/the nearest shows Abdou Sidikou Issa .* in office on 27 July 2023, 1 day after/);
    const far = await ask('who was the French ambassador on 26 July 2023?');
    expect(far.answered).toBe(false);
  });
});

describe('whether a body still ran on a day after its recorded end', () => {
  it('is No, with the event that ended it, in each language', async () => {
    for (const q of [
      'was Barkhane still running at the time of the coup?',
      'Barkhane était-elle encore en cours au moment du putsch ?',
      'Lief die Operation Barkhane zur Zeit des Putsches noch?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 9 November 2022: Macron formally ends Operation Barkhane/);
    }
  });
});

describe('whether someone is still at a place', () => {
  it('is their presence, which their leaving ends, not their office', async () => {
    for (const q of [
      'Is the French ambassador still in Niamey?',
      'Is Itté still in Niger?',
      'L’ambassadeur de France est-il toujours à Niamey ?',
      'Ist der französische Botschafter noch in Niamey?',
      'Was the French ambassador still in Niger in October 2023?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/^No\. 27 September 2023: French ambassador leaves Niamey/);
    }
  });

  it('is no No before the leaving, and an order to leave is no leaving', async () => {
    const r = await ask('Was the French ambassador still in Niger in September 2023?');
    expect(r.lead).not.toMatch(/^No\.|48 hours to leave/);
    // Someone who left nowhere on record is not said to have gone.
    expect((await ask('Is Bazoum still in Niamey?')).lead).not.toMatch(/^No\./);
  });
});

describe('troops just after a moment', () => {
  it('are counted by the first figure within days after it, said as such', async () => {
    for (const q of ['Did Italy keep troops in Niger after the coup?', 'Wie viele italienische Soldaten waren nach dem Putsch im Niger?']) {
      const r = await ask(q);
      expect(r.answered, q).toBe(true);
      expect(r.text, q).toMatch(/first figure after that is about 300 Italian troops in Niger, dated 31 July 2023, 4 days later/);
    }
  });
});

describe('how long something took', () => {
  it('is a named span from its first event to its last', async () => {
    for (const q of ['How long did the French withdrawal take?', 'Combien de temps a duré le retrait français ?']) {
      expect((await ask(q)).lead, q).toMatch(
        /^From French withdrawal begins \(10 October 2023\) to last French troops leave Niger \(22 December 2023\): 73 days/,
      );
    }
    expect((await ask('Wie lange dauerte der Abzug der Amerikaner?')).lead).toMatch(
      /\(16 March 2024\) to US withdrawal from Niger completed \(15 September 2024\): 183 days/,
    );
  });

  it('after a moment is the time from the moment to the event asked, whichever comes first in the question', async () => {
    for (const q of [
      'How long after the coup did the last French soldier leave Niger?',
      'Wie lange nach dem Putsch verließ der letzte französische Soldat den Niger?',
    ]) {
      expect((await ask(q)).lead, q).toMatch(/\(26 July 2023\) to last French troops leave Niger \(22 December 2023\): 149 days/);
    }
    expect((await ask('the Russian instructors arrived how long after the last French troops left?')).lead).toMatch(
      /^From Last French troops leave Niger \(22 December 2023\) to Russian instructors and air-defence system arrive \(10 April 2024\): 110 days/,
    );
  });

  it('of no span on record is declined, not answered with one date', async () => {
    const r = await ask('how long did the withdrawal from Mali take?');
    expect(r.answered).toBe(false);
    expect(r.text).toMatch(/can’t say how long it took/);
    // A term is its own length: "how long has Tiani been in power?" is still answered from his office.
    expect((await ask('how long has Tiani been in power?')).text).toMatch(/since 28 July 2023/);
  });
});

describe('whether a country is still in a body', () => {
  it('is not answered by its leaving another body the event also names', async () => {
    for (const q of ['Is Niger still a member of the AES?', 'Ist Niger noch Mitglied der AES?']) {
      const r = await ask(q);
      expect(r.lead, q).not.toMatch(/^No\./);
      expect(r.text, q).not.toMatch(/Exit from ECOWAS/);
    }
    expect((await ask('Is Niger still a member of ECOWAS?')).lead).toMatch(/^No\. 29 January 2025: Exit from ECOWAS takes effect/);
  });
});
