import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writePacks } from '../../functions/reports/packs.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { documents, meta } from '../support/pack-documents.ts';

/**
 * The packs' bytes, pinned: each pack of the hand-worked documents (test/support/pack-documents.ts, whose fixed
 * generated_at fixes the PDFs' creation date) has the SHA-256 of the pack main b7358571 wrote, before issue 17's
 * session-38 changes to how a pack's file is collected (pack-pdf.ts collectOutput) and laid out. A change meant to make
 * the packs cheaper to write must leave every byte as it was.
 */
const MAIN_B7358571 = {
  'metrics/packs/icb/QKK.outside.pdf': 'a2a56a290201475f80ea9d19014d79e4d7279a7bc80616ad7a94d699c62d8a64',
  'metrics/packs/icb/QKK.pdf': '9acf060eec45f8813ab91a89ec2f95c4595ef4f326b9be01f90c584f16daf289',
  'metrics/packs/icb/QWE.outside.pdf': '7915552f6fa25d8b640e10d6a3732201adbb6d46587793028159f3a7f99f750f',
  'metrics/packs/icb/QWE.pdf': '752ebea2aa7cf97e67ccc83b9d3d4ba42e54516e71f7f458ed691018dccd2022',
  'metrics/packs/national/ENG.outside.pdf': 'da55e4c844f996cfc91a4fdd7aa755cadec74faaf00803b0f3d6f4b833ba3816',
  'metrics/packs/national/ENG.pdf': '5b693eef92c81b843b4427b3bff764926052908dbc89519023849b25d55618d3',
  'metrics/packs/pcn/U11111.pdf': '9f81dca7fb8752dc4fc24744e578679422bc65e041503cba2f53c8f398cd8fa7',
  'metrics/packs/pcn/U22222.pdf': 'c09988a861c68b6b34c2019d3dfdf8e359141dd9e0ccca44634c185dd0ca47e5',
  'metrics/packs/pcn/U33333.pdf': '6348436fe6397103e7a5f595f76e084b27273a46506b1d0c75875a8170d758d2',
  'metrics/packs/region/Y56.outside.pdf': 'd20bbdfa114955b05f7ea7da4f0dbe1134c6ccf8b6cf93e9d5b9c9c4cb1d5e80',
  'metrics/packs/region/Y56.pdf': '836fbfc69aff3c7a2fd066889897cf0e7e4292bdd16c600fe385bccdd5c7676d',
};

/** The same with the dashboard's address given: the last page links to its Methodology page. */
const MAIN_B7358571_LINKED = {
  'metrics/packs/icb/QKK.outside.pdf': '74a02ad737b7eb2cc89dbec82ab4fdb5355639d149cd9a919fc6441bead7a0da',
  'metrics/packs/icb/QKK.pdf': 'd8688853c33ba8a41a44601e92954865912f37cbac14679e2768402f75fd6fe1',
  'metrics/packs/icb/QWE.outside.pdf': 'e1ba55bdeab38773782e9a3d833e4b979efd1b1500664c31a7a8076565c92220',
  'metrics/packs/icb/QWE.pdf': '2e994d1bf435274cd84d8669d40f7e015c346135ead993b7151d70b6cef3933c',
  'metrics/packs/national/ENG.outside.pdf': '3d68a4fe7d4ef108c4c4b30538ef11ba09ad55a48ae11d07d912cfc6a22c1294',
  'metrics/packs/national/ENG.pdf': 'f326eb26ed50c37b94552589ea55db83a8f601f89815b8920ab3bb479531cfbb',
  'metrics/packs/pcn/U11111.pdf': '5be2a4b74415e6320faca1703c1e7f545ae2ed2d7261d025f445f39c0b588623',
  'metrics/packs/pcn/U22222.pdf': '9661ba38eaaaeb60e24170cf3493dbce613457c7a934908b8c947e4c7598f47b',
  'metrics/packs/pcn/U33333.pdf': '56e8e8641e70b4175c8baacc9ca3fe3069e6a9e8f96815fe87ae4d88e57085ba',
  'metrics/packs/region/Y56.outside.pdf': '27ce2a4da6837b850b7ce46410a6ddc596a318abbb9e7b72570d0189748add93',
  'metrics/packs/region/Y56.pdf': 'ec00ecfc81be4ad4f636ddb31a019b46875c96124f5243b1a3601b6ca64a41e1',
};

async function hashes(options: { dashboardUrl?: string }): Promise<Record<string, string>> {
  const store = new MemoryObjectStore();
  await writePacks(store, documents(), meta, options);
  return Object.fromEntries(
    [...store.objects]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, bytes]) => [key, createHash('sha256').update(bytes).digest('hex')]),
  );
}

describe("the packs' bytes", () => {
  it('are those main wrote, pack by pack, in a first writing and a second (texts remembered by then)', async () => {
    expect(await hashes({})).toEqual(MAIN_B7358571);
    expect(await hashes({})).toEqual(MAIN_B7358571);
  });

  it("are those main wrote with a link to the dashboard's Methodology page", async () => {
    expect(await hashes({ dashboardUrl: 'https://dashboard.example.nhs.uk/' })).toEqual(MAIN_B7358571_LINKED);
  });
});
