"""Documents: what is printed for a parcel (packing slip, delivery note) and for the money
(invoice, credit note), numbered per series, frozen when issued, rendered as PDF."""
