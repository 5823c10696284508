import assert from 'node:assert/strict';
import { dlLabCommand, inLauncherTerms } from '../../core/invocation.js';

describe('invocation: printed commands name what the user started', () => {
  it('dl-lab <command> through the bin, yo dl-lab:<command> through yo', () => {
    assert.equal(dlLabCommand('demo', '--seed 0', 'dl-lab'), 'dl-lab demo --seed 0');
    assert.equal(dlLabCommand('demo', '--seed 0', 'yo'), 'yo dl-lab:demo --seed 0');
    assert.equal(dlLabCommand(undefined, '--name p', 'dl-lab'), 'dl-lab --name p');
    assert.equal(dlLabCommand(undefined, '--name p', 'yo'), 'yo dl-lab --name p');
    assert.equal(dlLabCommand('verify', '', 'yo'), 'yo dl-lab:verify');
  });

  it('under yo, USAGE example lines read as yo commands; prose is left alone', () => {
    const usage = 'Description:\n    Writes what `dl-lab paper` cites; see dl-lab verify.\n\nExamples:\n    dl-lab paper demo-seed0\n    dl-lab --name p\n    yo dl-lab:paper x\n';
    assert.equal(inLauncherTerms(usage, 'dl-lab'), usage);
    assert.equal(
      inLauncherTerms(usage, 'yo'),
      'Description:\n    Writes what `dl-lab paper` cites; see dl-lab verify.\n\nExamples:\n    yo dl-lab:paper demo-seed0\n    yo dl-lab --name p\n    yo dl-lab:paper x\n',
    );
  });
});
