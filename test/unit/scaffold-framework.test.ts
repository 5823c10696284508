import assert from 'node:assert/strict';
import { pythonPackageName, validateFramework } from '../../core/scaffold/framework.js';

describe('scaffold framework and Python package name', () => {
  it('the package is the slug with - made _', () => {
    assert.equal(pythonPackageName('moons-mlp'), 'moons_mlp');
    assert.equal(pythonPackageName('my_cool-project2'), 'my_cool_project2');
  });

  it('a name Python cannot import, or one that would shadow a module train.py imports, gets the dl_ prefix', () => {
    assert.equal(pythonPackageName('3d-unet'), 'dl_3d_unet');
    assert.equal(pythonPackageName('import'), 'dl_import');
    assert.equal(pythonPackageName('torch'), 'dl_torch');
    assert.equal(pythonPackageName('train'), 'dl_train');
    assert.equal(pythonPackageName('torch-moons'), 'torch_moons');
  });

  it('only pytorch and none are frameworks', () => {
    assert.equal(validateFramework('pytorch'), true);
    assert.equal(validateFramework('none'), true);
    assert.match(String(validateFramework('PyTorch')), /unknown framework "PyTorch": choose one of pytorch, none/);
    assert.match(String(validateFramework(undefined)), /unknown framework undefined/);
  });
});
