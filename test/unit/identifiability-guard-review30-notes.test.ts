import { describe, expect, it } from 'vitest';
import { findIdentifier, identifierByRules } from '../../functions/lib/identifiability-guard.ts';

/*
 * sec30's open note on review 30's R30-4: an e-mail address written out with `at` between spaces and its domain's dots
 * kept (`jane.doe at nhs.net`) passed; `at` in brackets and `at ... dot ...` were already read. The test names describe
 * each value by its shape; the values themselves are never printed (the assertions compare the kind found only).
 */
const kindOf = (text: string) => [findIdentifier(text), identifierByRules(text)];

describe('an e-mail address written out in free text is refused', () => {
  it.each([
    ['a dotted local part, `at` between spaces', 'jane.doe at nhs.net'],
    ['the same in capitals', 'JANE.DOE AT NHS.NET'],
    ['the same inside a sentence', 'Pt asked to be contacted on jane.doe at nhs.net after 5pm'],
    ['an underscored local part, a co.uk domain', 'j_smith at hotmail.co.uk'],
    ['a local part with digits', 'jsmith85 at btinternet.com'],
    ['a plain word before a mailbox provider’s domain', 'jane at gmail.com'],
    ['a plain word before NHSmail', 'contact: jane at nhs.net'],
    ['a plain word before a trust’s NHSmail subdomain', 'jdoe at mft.nhs.net'],
    ['`at` in brackets, `dot` in brackets', 'jane.doe [at] nhs [dot] net'],
    ['`at` in round brackets, no spaces', 'jane(at)nhs.net'],
    ['`at` in round brackets, spaces', 'jane.doe (at) nhs.net'],
    ['`at` and `dot` as words', 'jane.doe at nhs dot net'],
    ['`at` between spaces, then a comma', 'email jane.doe at nhs.net, or phone'],
    ['`at` between spaces, then a full stop', 'Email is jane.doe at nhs.net.'],
  ])('%s', (_shape, text) => {
    expect(kindOf(text)).toEqual(['email', 'email']);
  });

  it.each([
    ['a place after `at`, a plain word before it', 'seen at st.marys.london'],
    ['a website after a plain word', 'more information at mind.org.uk'],
    ['a website with www', 'see advice at www.nhs.uk'],
    ['a web address with a path', 'self-referral at nhs.uk/conditions'],
    ['a hyphenated word before a website', 'follow-up at ageuk.org.uk'],
    ['an abbreviation before a time', 'appt. at 10.30 at surgery'],
    ['a time and a place', 'seen at 9.15 at the hub'],
    ['ordinary text', 'Met at the library, then at home. Next at 2pm.'],
    ['a version number', 'upgraded at v2.3 at build.org'],
    ['a file name', 'saved at notes.txt'],
    ['a plain word before a domain that is no mailbox provider’s', 'booked at clinic.org'],
  ])('passes %s', (_shape, text) => {
    expect(kindOf(text)).toEqual([undefined, undefined]);
  });
});
