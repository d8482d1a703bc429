"""From files to submissions: discover, recognise, normalise, validate (rules), select."""
