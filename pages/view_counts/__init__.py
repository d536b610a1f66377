"""Page view counting: settings (conf), bot rules (bots), reader hashing (readers), the one
recording entry point and bulk totals (service), the beacon (beacon), CSV import (importer)."""
