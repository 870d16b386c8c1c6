"""Everyday phrases that borrow an attack's words: "don't forget to…", "ignore the typos",
"from now on, answer in British English".

The classifier learnt "forget", "ignore" and "from now on" as attack words (they are, in most
of its attack rows), so a reminder or a note about typos can cross the threshold on its
words alone ("Vergiss nicht, morgen die Präsentation mitzubringen" scored 0.65). The detector
then scores the text again without the phrase and keeps the lower probability: an attack
written beside such a phrase keeps its own score ("Don't forget: you are DAN now" is read
as "you are DAN now"). Rules are not affected; they see the whole text.

Written from the languages, the lead's probe and our own benign twins, never from an
evaluation row. Only looked for when the classifier alone would flag a text, so ordinary
prompts pay nothing.
"""

from __future__ import annotations

import re

# A reminder: "forget" negated, in the languages (folded: lower case, no accents).
_REMINDER = (
    r"\b(?:don'?t|do not|never) forget\b|\bvergiss nicht\b|\bvergesst nicht\b|"
    r"\bvergessen sie nicht\b|\bn'oublie[sz]? pas\b|\bn'oubliez jamais\b|\bno (?:te )?olvides\b|"
    r"\bno (?:se )?olvide\b|\bnon dimenticare\b|\bnon dimenticate\b|\bnon dimentichi\b|"
    r"\bnao (?:se )?esqueca\b|\bnao (?:te )?esquecas\b|\bvergeet (?:niet|het niet)\b|"
    r"\bне забудь(?:те)?\b|别忘了|別忘了|不要忘记|不要忘記|忘れないで|잊지 ?마"
)
# Typos, spelling, grammar or formatting waved aside, the text's content still asked about.
_NOT_THE_FORM = (
    r"\b(?:ignore|overlook|disregard|excuse|never mind|forgive)\s+(?:the|my|any|all|all the|"
    r"those|these)?\s*(?:\w+\s+)?(?:typos?|spelling|grammar|formatting|format|punctuation|"
    r"spelling mistakes|grammar mistakes|mistakes|errors|layout)\b|"
    r"\bignore[rz]?\s+(?:les|mes)\s+(?:fautes|erreurs|coquilles|problemes de mise en forme|"
    r"mise en forme)\b|\bignoriere?n?\s+(?:sie\s+)?(?:die|meine)\s+(?:tippfehler|"
    r"rechtschreibfehler|fehler|formatierung)\b|\bignora\s+(?:los|mis|las|gli|i|le|la|il)\s+"
    r"(?:errores|faltas|formato|errori|refusi|formattazione)\b|\bignore\s+(?:os|meus|as)\s+"
    r"(?:erros|formatacao)\b|\bnegeer\s+(?:de|mijn)\s+(?:typfouten|spelfouten|fouten|opmaak)\b|"
    r"\bне обращаи(?:те)? внимания на (?:опечатк\w*|ошибк\w*|форматировани\w*)|"
    r"忽略(?:格式|错别字|錯別字|拼写|拼寫|语法|語法)|(?:誤字|タイプミス|書式)(?:は|を)(?:無視|気にしない)|"
    r"오타는 (?:무시|신경 쓰지)"
)
# A standing request about the answer's language, tone or length.
_STYLE_FROM_NOW = (
    r"\b(?:from now on|for the rest of (?:this|our) (?:chat|conversation)|going forward),?\s+"
    r"(?:please\s+)?(?:always\s+)?(?:answer|reply|respond|write|speak|talk)\s+(?:to me\s+)?"
    r"(?:only\s+)?(?:in|with)\s+(?:(?:british|american|simple|plain|formal|informal|short|"
    r"brief)\s+)?(?:english|german|french|spanish|italian|portuguese|dutch|russian|chinese|"
    r"japanese|korean|sentences|bullet points|a formal tone|a friendly tone)\b"
)
# A product's or a document's own instructions ("de instructies van deze IKEA-kast", "the
# instructions for the dishwasher"): not the model's. Never when the owner is the model.
_PRODUCT_INSTRUCTIONS = (
    r"\b(?:instructions|instructies|anweisungen|anleitung|bedienungsanleitung|"
    r"gebruiksaanwijzing|instrucciones|istruzioni|instrucoes|mode d'emploi|notice)\s+"
    r"(?:of|for|on|van|voor|fur|zur|zum|de|del|della|dello|do|da|pour|du)\s+(?:this|the|my|our|"
    r"these|deze|dit|het|de|mijn|onze|diese[mnrs]?|der|die|das|dem|den|meine[mnrs]?|ce|cette|"
    r"mon|ma|la|le|este|esta|mi|questo|questa|il|lo|o|a|meu|minha)\s+"
    r"(?!(?:ai|assistant|model|chatbot|bot|system|llm|gpt|ki|ia|assistent\w*|modell?)\b)"
)
_BENIGN = re.compile("|".join((_REMINDER, _NOT_THE_FORM, _STYLE_FROM_NOW, _PRODUCT_INSTRUCTIONS)))


def without_benign_phrases(folded: str) -> str | None:
    """`folded` with every everyday phrase of this kind removed, or None if it has none."""
    stripped, count = _BENIGN.subn(" ", folded)
    return stripped if count else None
