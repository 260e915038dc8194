"""The REST/JSON facade of the reservation core (the post-2015 era), at ``/rest/v1``."""
