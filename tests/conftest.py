pytest_plugins = ["tests.support.conftest_plugin"]
