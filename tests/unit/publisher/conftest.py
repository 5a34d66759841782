from tests.fakes.zalo_fixtures import *  # noqa: F403
